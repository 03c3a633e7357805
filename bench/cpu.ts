/**
 * How much CPU the rest of the machine took while a figure was measured. The bench's
 * baselines and the CLI run one after the other, not side by side, so work by other
 * processes (another test suite, a compiler) slows one and not the other; on a 2-CPU
 * machine that can move a ratio by 2x. Linux only: /proc/stat gives the whole machine's
 * busy time, /proc/PID/stat the test environment's servers, and /proc/self/stat this
 * process with the children it has waited for (the CLI runs, the list child).
 */
import { readFileSync } from "node:fs";

/** USER_HZ: the unit of /proc CPU times, 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface CpuSample {
  readonly atMs: number;
  /** Busy ticks of the whole machine. */
  readonly machine: number;
  /** Busy ticks of the bench, its waited-for children and the environment's servers. */
  readonly ours: number;
}

export class CpuMeter {
  constructor(private readonly pids: readonly number[]) {}

  sample(): CpuSample | undefined {
    try {
      const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1);
      // user nice system idle iowait irq softirq steal (guest time is already in user).
      const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
      const machine = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
      let ours = processTicks("self", { withChildren: true }) ?? 0;
      for (const pid of this.pids) ours += processTicks(String(pid), { withChildren: false }) ?? 0;
      return { atMs: performance.now(), machine, ours };
    } catch {
      return undefined;
    }
  }
}

/** CPUs' worth of work done by other processes between two samples (undefined off Linux). */
export function foreignCores(from: CpuSample | undefined, to: CpuSample | undefined): number | undefined {
  if (!from || !to || to.atMs <= from.atMs) return undefined;
  const ticks = to.machine - from.machine - (to.ours - from.ours);
  const cores = ticks / TICKS_PER_SECOND / ((to.atMs - from.atMs) / 1000);
  return Math.max(0, Math.round(cores * 100) / 100);
}

/** utime + stime (+ cutime + cstime) of a process, in ticks; undefined once it is gone. */
function processTicks(pid: string, options: { withChildren: boolean }): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces; the fields after its closing ")" do not.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const children = options.withChildren ? Number(rest[13]) + Number(rest[14]) : 0;
  return utime + stime + children;
}
