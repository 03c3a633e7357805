/** The bench's output: a table for people, or one JSON object for machines. */
import type { MeasuredStep, SizeFigures } from "./scenario.js";

export const AIMS = {
  backup_vs_list: 1.5,
  restore_vs_create: 2,
  incremental_bytes_ratio: 0.03,
  peak_rss_mb: 300,
} as const;

type Metric = keyof typeof AIMS;
const METRICS = Object.keys(AIMS) as Metric[];

export interface BenchReport {
  /** The headline figures, at the largest size. */
  readonly backup_vs_list: number;
  readonly restore_vs_create: number;
  readonly incremental_bytes_ratio: number;
  readonly peak_rss_mb: number;
  readonly size: number;
  readonly aims: typeof AIMS;
  /** Every aim met at every size. */
  readonly ok: boolean;
  readonly sizes: Readonly<Record<string, SizeFigures>>;
  readonly machine: { readonly node: string; readonly cpus: number; readonly platform: string };
  readonly duration_s: number;
}

function meets(figures: SizeFigures, metric: Metric): boolean {
  return figures[metric] <= AIMS[metric];
}

export function buildReport(
  all: readonly SizeFigures[],
  extra: Pick<BenchReport, "machine" | "duration_s">,
): BenchReport {
  const largest = all.reduce((a, b) => (b.size > a.size ? b : a));
  return {
    backup_vs_list: round(largest.backup_vs_list, 3),
    restore_vs_create: round(largest.restore_vs_create, 3),
    incremental_bytes_ratio: round(largest.incremental_bytes_ratio, 4),
    peak_rss_mb: round(largest.peak_rss_mb, 1),
    size: largest.size,
    aims: AIMS,
    ok: all.every((f) => METRICS.every((m) => meets(f, m))),
    sizes: Object.fromEntries(all.map((f) => [String(f.size), f])),
    ...extra,
  };
}

export function renderTable(report: BenchReport): string {
  const rows: string[][] = [["size", "metric", "value", "aim", "ok?", "detail"]];
  for (const f of Object.values(report.sizes)) {
    const size = f.size.toLocaleString("en-US");
    const s = f.seconds;
    const detail: Record<Metric, string> = {
      backup_vs_list:
        `backup ${s.backup} s (CLI wall, incl. ${s.cli_startup} s start-up) / bare list ${s.bare_list} s` +
        others(f, "backup", "bare_list"),
      restore_vs_create:
        `restore ${s.restore} s (CLI wall) / bare create ${s.bare_create} s` +
        others(f, "restore", "bare_create"),
      incremental_bytes_ratio:
        `${bytes(f.bytes.incremental_backup)} after ${f.workload.changed_for_incremental} changes ` +
        `(packs ${bytes(f.bytes.incremental_by_part.packs)}, index ${bytes(f.bytes.incremental_by_part.index)}, ` +
        `manifest+logs ${bytes(f.bytes.incremental_by_part.manifest_and_side_files)}) / full ${bytes(f.bytes.full_backup)}`,
      peak_rss_mb: `backup ${f.rss_mb.backup}, incremental ${f.rss_mb.incremental_backup}, restore ${f.rss_mb.restore} MB`,
    };
    for (const metric of METRICS) {
      const digits = metric === "incremental_bytes_ratio" ? 4 : metric === "peak_rss_mb" ? 1 : 2;
      rows.push([
        size,
        metric,
        f[metric].toFixed(digits),
        `≤ ${AIMS[metric]}`,
        meets(f, metric) ? "yes" : "NO",
        detail[metric],
      ]);
    }
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
  const notes = Object.values(report.sizes).map((f) => {
    const w = f.workload;
    return (
      `${f.size.toLocaleString("en-US")}: ${w.configmaps} ConfigMaps, ${w.secrets} Secrets, ${w.deployments} Deployments ` +
      `(replicas 0; +${w.replicasets} ReplicaSets) in ${w.namespaces} namespaces; ${f.items.backed_up ?? "?"} items backed up, ` +
      `${f.items.restored ?? "?"} restored (${f.restore_phase}); populated in ${f.seconds.populate} s`
    );
  });
  const disturbed = Object.values(report.sizes).flatMap((f) =>
    Object.entries(f.foreign_cpu_cores).flatMap(([step, cores]) =>
      cores !== undefined && cores >= NOISY_CORES ? [`${f.size} ${step}: ${cores}`] : [],
    ),
  );
  return [
    ...lines,
    "",
    ...notes,
    ...(disturbed.length > 0
      ? [
          `Other processes on this machine were busy during measured steps (CPUs: ${disturbed.join("; ")}): those figures are disturbed; rerun on a quiet machine.`,
        ]
      : []),
    `${report.ok ? "All aims met" : "Some aims NOT met"}; ${report.duration_s} s in all on ${report.machine.cpus} CPUs, Node ${report.machine.node}.`,
  ].join("\n");
}

/** Other processes' CPU use (cpu.ts) from which a measured step counts as disturbed. */
const NOISY_CORES = 0.3;

/** The other processes' CPU use during the two sides of a ratio, when it is worth a mention. */
function others(f: SizeFigures, cli: MeasuredStep, baseline: MeasuredStep): string {
  const a = f.foreign_cpu_cores[cli];
  const b = f.foreign_cpu_cores[baseline];
  if ((a ?? 0) < NOISY_CORES && (b ?? 0) < NOISY_CORES) return "";
  return `; other processes busy: ${a ?? "?"} vs ${b ?? "?"} CPUs`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
