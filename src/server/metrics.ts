/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format 0.0.4. Enough for the server's own metrics without a dependency.
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 */
import { KubesnapError } from "../core/errors.js";
import type { PreDeleteOutcome } from "../protect/pre-delete.js";

/** Label names to label values; `{}` for a metric without labels. */
export type Labels = Record<string, string>;

/** `inc()` / `inc(2)` without labels; `inc({ outcome: "Failed" })` / `inc({ … }, 2)` with. */
type IncArgs<L extends Labels> = keyof L extends never ? [by?: number] : [labels: L, by?: number];
/** `set(1)` without labels; `set({ schedule: "nightly" }, 1)` with. */
type ValueArgs<L extends Labels> = keyof L extends never ? [value: number] : [labels: L, value: number];

export interface MetricOptions<L extends Labels> {
  readonly name: string;
  readonly help: string;
  /** The label names, in the order they are rendered. */
  readonly labelNames?: readonly (keyof L & string)[];
}

export interface HistogramOptions<L extends Labels> extends MetricOptions<L> {
  /** Upper bounds, ascending; +Inf is added. */
  readonly buckets: readonly number[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Metric {
  readonly name: string;
  render(): string;
}

abstract class Family<L extends Labels, S> implements Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, { readonly values: readonly string[]; state: S }>();
  protected abstract readonly type: "counter" | "gauge" | "histogram";

  constructor(options: MetricOptions<L>) {
    if (!METRIC_NAME.test(options.name))
      throw new KubesnapError("Internal", `invalid metric name "${options.name}"`);
    for (const label of options.labelNames ?? [])
      if (!LABEL_NAME.test(label) || label.startsWith("__"))
        throw new KubesnapError("Internal", `invalid label name "${label}" on metric ${options.name}`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
  }

  protected abstract initial(): S;
  protected abstract samples(labels: string, state: S): string[];

  /** The series for these labels, created on first use. */
  protected state(labels: L | undefined): { state: S } {
    const given: Labels = labels ?? {};
    const names = Object.keys(given);
    if (names.length !== this.labelNames.length || names.some((n) => !this.labelNames.includes(n)))
      throw new KubesnapError(
        "Internal",
        `metric ${this.name} takes labels [${this.labelNames.join(", ")}], not [${names.join(", ")}]`,
      );
    const values = this.labelNames.map((n) => given[n] ?? "");
    const key = JSON.stringify(values);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, state: this.initial() };
      this.series.set(key, entry);
    }
    return entry;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    // A metric without labels always has its one series, at zero until first touched.
    if (this.labelNames.length === 0 && this.series.size === 0) this.state(undefined);
    const entries = [...this.series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, { values, state }] of entries) {
      const labels = values.map((v, i) => `${this.labelNames[i]}="${escapeLabelValue(v)}"`).join(",");
      lines.push(...this.samples(labels, state));
    }
    return `${lines.join("\n")}\n`;
  }
}

function split<L extends Labels>(args: readonly unknown[]): { labels: L | undefined; value: unknown } {
  return typeof args[0] === "object" && args[0] !== null
    ? { labels: args[0] as L, value: args[1] }
    : { labels: undefined, value: args[0] };
}

function sample(name: string, labels: string, value: number): string {
  return `${name}${labels ? `{${labels}}` : ""} ${formatValue(value)}`;
}

export class Counter<L extends Labels = Record<never, string>> extends Family<L, { value: number }> {
  protected readonly type = "counter";

  inc(...args: IncArgs<L>): void {
    const { labels, value } = split<L>(args);
    const by = (value as number | undefined) ?? 1;
    if (!(by >= 0)) throw new KubesnapError("Internal", `counter ${this.name} cannot go down (inc by ${by})`);
    this.state(labels).state.value += by;
  }

  /** Makes the series exist at 0, so rate() sees the first increment. */
  init(...args: keyof L extends never ? [] : [labels: L]): void {
    this.state(args[0]);
  }

  protected initial() {
    return { value: 0 };
  }

  protected samples(labels: string, state: { value: number }): string[] {
    return [sample(this.name, labels, state.value)];
  }
}

export class Gauge<L extends Labels = Record<never, string>> extends Family<L, { value: number }> {
  protected readonly type = "gauge";

  set(...args: ValueArgs<L>): void {
    const { labels, value } = split<L>(args);
    this.state(labels).state.value = value as number;
  }

  inc(...args: IncArgs<L>): void {
    const { labels, value } = split<L>(args);
    this.state(labels).state.value += (value as number | undefined) ?? 1;
  }

  dec(...args: IncArgs<L>): void {
    const { labels, value } = split<L>(args);
    this.state(labels).state.value -= (value as number | undefined) ?? 1;
  }

  protected initial() {
    return { value: 0 };
  }

  protected samples(labels: string, state: { value: number }): string[] {
    return [sample(this.name, labels, state.value)];
  }
}

interface HistogramState {
  /** Per bucket (not cumulative); the last is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram<L extends Labels = Record<never, string>> extends Family<L, HistogramState> {
  protected readonly type = "histogram";
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions<L>) {
    super(options);
    if (options.labelNames?.includes("le" as keyof L & string))
      throw new KubesnapError("Internal", `histogram ${options.name} cannot have a label named "le"`);
    const sorted = options.buckets.every((b, i, all) => i === 0 || b > (all[i - 1] as number));
    if (!sorted || options.buckets.some((b) => !Number.isFinite(b)))
      throw new KubesnapError("Internal", `histogram ${options.name}: buckets must be finite and ascending`);
    this.buckets = [...options.buckets];
  }

  observe(...args: ValueArgs<L>): void {
    const { labels, value } = split<L>(args);
    const v = value as number;
    const state = this.state(labels).state;
    const index = this.buckets.findIndex((bound) => v <= bound);
    const slot = index === -1 ? this.buckets.length : index;
    state.counts[slot] = (state.counts[slot] ?? 0) + 1;
    state.sum += v;
    state.count += 1;
  }

  protected initial(): HistogramState {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  protected samples(labels: string, state: HistogramState): string[] {
    const out: string[] = [];
    const prefix = labels ? `${labels},` : "";
    let cumulative = 0;
    [...this.buckets, Number.POSITIVE_INFINITY].forEach((bound, i) => {
      cumulative += state.counts[i] ?? 0;
      out.push(sample(`${this.name}_bucket`, `${prefix}le="${formatValue(bound)}"`, cumulative));
    });
    out.push(
      sample(`${this.name}_sum`, labels, state.sum),
      sample(`${this.name}_count`, labels, state.count),
    );
    return out;
  }
}

/** Metrics by name, rendered together for /metrics. */
export class Registry {
  private readonly metrics = new Map<string, Metric>();

  counter<L extends Labels = Record<never, string>>(options: MetricOptions<L>): Counter<L> {
    return this.add(new Counter<L>(options));
  }

  gauge<L extends Labels = Record<never, string>>(options: MetricOptions<L>): Gauge<L> {
    return this.add(new Gauge<L>(options));
  }

  histogram<L extends Labels = Record<never, string>>(options: HistogramOptions<L>): Histogram<L> {
    return this.add(new Histogram<L>(options));
  }

  /** The text exposition format, version 0.0.4; metrics in the order they were registered. */
  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join("");
  }

  private add<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name))
      throw new KubesnapError("Internal", `metric ${metric.name} is registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

/** The Content-Type of render()'s output. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** HELP text escapes backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

// ---- The server's metrics ----

export type BackupOutcome = "Completed" | "PartiallyFailed" | "Failed";
export type RestoreOutcome = "Completed" | "PartiallyFailed" | "Failed";

const OUTCOMES = ["Completed", "PartiallyFailed", "Failed"] as const;

/** Backups and restores run from seconds to hours. */
export const DURATION_BUCKETS_SECONDS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400];

export interface ServerMetrics {
  readonly registry: Registry;
  readonly backupTotal: Counter<{ outcome: BackupOutcome }>;
  readonly restoreTotal: Counter<{ outcome: RestoreOutcome }>;
  readonly backupDuration: Histogram;
  readonly restoreDuration: Histogram;
  readonly backupItems: Counter;
  readonly backupBytes: Counter;
  readonly backupLastSuccessfulTimestamp: Gauge<{ schedule: string }>;
  readonly leader: Gauge;
  readonly preDeleteBypass: Counter;
  readonly preDeleteTotal: Counter<{ outcome: PreDeleteOutcome }>;
  readonly preDeleteDuration: Histogram;
}

/** The metrics `kubesnap server` exports, registered in a fresh (or the given) registry. */
export function createServerMetrics(registry: Registry = new Registry()): ServerMetrics {
  const metrics: ServerMetrics = {
    registry,
    backupTotal: registry.counter<{ outcome: BackupOutcome }>({
      name: "kubesnap_backup_total",
      help: "Backups finished, by outcome.",
      labelNames: ["outcome"],
    }),
    restoreTotal: registry.counter<{ outcome: RestoreOutcome }>({
      name: "kubesnap_restore_total",
      help: "Restores finished, by outcome.",
      labelNames: ["outcome"],
    }),
    backupDuration: registry.histogram({
      name: "kubesnap_backup_duration_seconds",
      help: "Time a backup took, from start to its final phase.",
      buckets: DURATION_BUCKETS_SECONDS,
    }),
    restoreDuration: registry.histogram({
      name: "kubesnap_restore_duration_seconds",
      help: "Time a restore took, from start to its final phase.",
      buckets: DURATION_BUCKETS_SECONDS,
    }),
    backupItems: registry.counter({
      name: "kubesnap_backup_items_total",
      help: "Items written into backups.",
    }),
    backupBytes: registry.counter({
      name: "kubesnap_backup_bytes_total",
      help: "Bytes written into backups.",
    }),
    backupLastSuccessfulTimestamp: registry.gauge<{ schedule: string }>({
      name: "kubesnap_backup_last_successful_timestamp",
      help: "When the last successful backup of each schedule finished, in seconds since the epoch.",
      labelNames: ["schedule"],
    }),
    leader: registry.gauge({
      name: "kubesnap_leader",
      help: "1 while this process is the leader, else 0.",
    }),
    preDeleteBypass: registry.counter({
      name: "kubesnap_pre_delete_bypass_total",
      help: "Deletions let through without the pre-delete backup.",
    }),
    preDeleteTotal: registry.counter<{ outcome: PreDeleteOutcome }>({
      name: "kubesnap_pre_delete_total",
      help: "Deletions of protected objects, by how their backup ended (only Completed lets the deletion through).",
      labelNames: ["outcome"],
    }),
    preDeleteDuration: registry.histogram({
      name: "kubesnap_pre_delete_duration_seconds",
      help: "Time from a protected object's DELETE reaching the webhook to its answer.",
      // The webhook answers within its timeout (25 s at most).
      buckets: [0.5, 1, 2, 3, 5, 10, 15, 20, 25],
    }),
  };
  // Known outcomes start at 0, so a first failure shows up as a rise, not as a new series.
  for (const outcome of OUTCOMES) {
    metrics.backupTotal.init({ outcome });
    metrics.restoreTotal.init({ outcome });
    metrics.preDeleteTotal.init({ outcome });
  }
  metrics.preDeleteTotal.init({ outcome: "TimedOut" });
  return metrics;
}
