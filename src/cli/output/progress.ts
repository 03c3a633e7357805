/**
 * Progress for long work (backing up, restoring, verifying). On a terminal one line is redrawn
 * in place; in CI logs and pipes, where "\r" just piles up, plain lines are printed now and then.
 * The clock is injected so tests drive time instead of sleeping.
 */

/** process.stderr, or any writable that says whether it is a terminal and how wide. */
export type ProgressStream = NodeJS.WritableStream & {
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
};

export interface ProgressOptions {
  readonly stream: ProgressStream;
  /** What is happening, e.g. "Backing up". */
  readonly label: string;
  /** Items expected, when known up front; an update may supply it later. */
  readonly total?: number;
  /** What happens to the bytes: "written" (default) for backups, "read" for restores. */
  readonly bytesVerb?: string;
  /** Milliseconds; Date.now by default. */
  readonly now?: () => number;
}

export interface ProgressUpdate {
  readonly itemsDone: number;
  readonly itemsTotal?: number;
  readonly bytes?: number;
}

export interface Progress {
  update(update: ProgressUpdate): void;
  /** Replaces the progress line with a final line; later calls do nothing. */
  finish(summaryLine: string): void;
}

/** Redraws a terminal at most ~10×/s: smooth to the eye, cheap next to the work itself. */
const TTY_INTERVAL_MS = 100;
/** A log line every ~2 s shows a run is alive without flooding the log. */
const LOG_INTERVAL_MS = 2000;
/** A rate measured over less than a second jumps about too much to be worth showing. */
const MIN_RATE_WINDOW_MS = 1000;

const CLEAR_LINE = "\r\x1b[K";

export function createProgress(options: ProgressOptions): Progress {
  const { stream, label } = options;
  const now = options.now ?? Date.now;
  const bytesVerb = options.bytesVerb ?? "written";
  const tty = stream.isTTY === true;
  const startedAt = now();
  let total = options.total;
  // Logs start only after the first interval, so a quick run prints just its summary.
  let lastWrite = tty ? Number.NEGATIVE_INFINITY : startedAt;
  let drawn = false;
  let finished = false;

  return {
    update(update) {
      if (finished) return;
      total = update.itemsTotal ?? total;
      const at = now();
      if (at - lastWrite < (tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS)) return;
      lastWrite = at;
      const line = renderProgressLine({
        label,
        itemsDone: update.itemsDone,
        ...(total === undefined ? {} : { itemsTotal: total }),
        ...(update.bytes === undefined ? {} : { bytes: update.bytes }),
        bytesVerb,
        elapsedMs: at - startedAt,
      });
      if (tty) {
        stream.write(`${CLEAR_LINE}${fitWidth(line, stream.columns)}`);
        drawn = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    finish(summaryLine) {
      if (finished) return;
      finished = true;
      stream.write(`${drawn ? CLEAR_LINE : ""}${summaryLine}\n`);
    },
  };
}

/** A line that wraps defeats "\r": only its last row would be redrawn. */
function fitWidth(line: string, columns: number | undefined): string {
  return columns !== undefined && columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line;
}

/**
 * "Backing up: 1234/5000 items (24%), 12.3 MiB written, 850 items/s". The percentage rounds
 * down so 100% means done; the rate is the average since the start.
 */
export function renderProgressLine(state: {
  readonly label: string;
  readonly itemsDone: number;
  readonly itemsTotal?: number;
  readonly bytes?: number;
  readonly bytesVerb: string;
  readonly elapsedMs: number;
}): string {
  const { itemsDone, itemsTotal } = state;
  let items = `${itemsDone}`;
  if (itemsTotal !== undefined) {
    items += `/${itemsTotal} items`;
    if (itemsTotal > 0) items += ` (${Math.min(100, Math.floor((itemsDone * 100) / itemsTotal))}%)`;
  } else {
    items += " items";
  }
  const parts = [items];
  if (state.bytes !== undefined) parts.push(`${formatBytes(state.bytes)} ${state.bytesVerb}`);
  if (state.elapsedMs >= MIN_RATE_WINDOW_MS) {
    parts.push(formatRate(itemsDone / (state.elapsedMs / 1000), "items"));
  }
  return `${state.label}: ${parts.join(", ")}`;
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"] as const;

/** Binary units with one decimal: "512 B", "1.0 KiB", "12.3 MiB", "4.2 GiB". */
export function formatBytes(bytes: number): string {
  if (Math.round(Math.abs(bytes)) < 1024) return `${Math.round(bytes)} B`;
  let value = bytes / 1024;
  let unit = 1;
  // Decide the unit after rounding, so 1048575 B is "1.0 MiB" rather than "1024.0 KiB".
  while (unit < BYTE_UNITS.length - 1 && Math.abs(Number(value.toFixed(1))) >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** "850 items/s", "2.5 items/s": a decimal only where it carries information. */
export function formatRate(perSecond: number, unit: string): string {
  const shown = perSecond < 10 ? perSecond.toFixed(1) : `${Math.round(perSecond)}`;
  return `${shown} ${unit}/s`;
}

/** "12.3 MiB/s". */
export function formatByteRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}
