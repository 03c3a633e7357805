/**
 * A run's log, kept with the backup or restore (`kubesnap backup logs NAME`). Lines name
 * objects, never their content: a Secret's data must not reach a log.
 */
export class RunLog {
  private readonly lines: string[] = [];
  private dropped = 0;
  private static readonly MAX_LINES = 20_000;

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly echo?: (line: string) => void,
  ) {}

  info(message: string): void {
    this.add("info", message);
  }

  warn(message: string): void {
    this.add("warning", message);
  }

  error(message: string): void {
    this.add("error", message);
  }

  text(): string {
    const tail = this.dropped > 0 ? `... ${this.dropped} more lines were not kept\n` : "";
    return `${this.lines.join("\n")}\n${tail}`;
  }

  private add(level: string, message: string): void {
    const line = `time="${this.now().toISOString()}" level=${level} msg=${JSON.stringify(message)}`;
    this.echo?.(line);
    // A run over a huge cluster could log without end; the first lines and the count are what matter.
    if (this.lines.length < RunLog.MAX_LINES) this.lines.push(line);
    else this.dropped++;
  }
}
