import { describe, expect, it } from "vitest";
import { createServerMetrics, Registry } from "./metrics.js";

describe("the exposition format", () => {
  it("renders counters, with and without labels, series sorted by label values", () => {
    const registry = new Registry();
    const runs = registry.counter({ name: "runs_total", help: "Runs." });
    const jobs = registry.counter<{ kind: string; outcome: string }>({
      name: "jobs_total",
      help: "Jobs, by kind and outcome.",
      labelNames: ["kind", "outcome"],
    });
    runs.inc();
    runs.inc(2.5);
    jobs.inc({ outcome: "ok", kind: "b" });
    jobs.inc({ kind: "a", outcome: "ok" }, 3);
    expect(registry.render()).toBe(
      [
        "# HELP runs_total Runs.",
        "# TYPE runs_total counter",
        "runs_total 3.5",
        "# HELP jobs_total Jobs, by kind and outcome.",
        "# TYPE jobs_total counter",
        'jobs_total{kind="a",outcome="ok"} 3',
        'jobs_total{kind="b",outcome="ok"} 1',
        "",
      ].join("\n"),
    );
  });

  it("renders an untouched unlabelled metric at 0 and an untouched labelled one with no series", () => {
    const registry = new Registry();
    registry.gauge({ name: "up", help: "Up." });
    registry.counter<{ x: string }>({ name: "x_total", help: "X.", labelNames: ["x"] });
    expect(registry.render()).toBe(
      "# HELP up Up.\n# TYPE up gauge\nup 0\n# HELP x_total X.\n# TYPE x_total counter\n",
    );
  });

  it("escapes label values (backslash, quote, newline) and help text (backslash, newline)", () => {
    const registry = new Registry();
    const g = registry.gauge<{ path: string }>({
      name: "odd",
      help: 'A "help"\\text\nover two lines.',
      labelNames: ["path"],
    });
    g.set({ path: 'C:\\dir\n"quoted"' }, -1);
    expect(registry.render()).toBe(
      [
        '# HELP odd A "help"\\\\text\\nover two lines.',
        "# TYPE odd gauge",
        'odd{path="C:\\\\dir\\n\\"quoted\\""} -1',
        "",
      ].join("\n"),
    );
  });

  it("renders gauges that go up and down, and special values", () => {
    const registry = new Registry();
    const g = registry.gauge<{ k: string }>({ name: "g", help: "G.", labelNames: ["k"] });
    g.set({ k: "a" }, 5);
    g.inc({ k: "a" });
    g.dec({ k: "a" }, 0.5);
    g.set({ k: "b" }, Number.POSITIVE_INFINITY);
    g.set({ k: "c" }, Number.NEGATIVE_INFINITY);
    g.set({ k: "d" }, Number.NaN);
    g.set({ k: "e" }, 1_795_676_400.5);
    expect(registry.render()).toBe(
      [
        "# HELP g G.",
        "# TYPE g gauge",
        'g{k="a"} 5.5',
        'g{k="b"} +Inf',
        'g{k="c"} -Inf',
        'g{k="d"} NaN',
        'g{k="e"} 1795676400.5',
        "",
      ].join("\n"),
    );
  });

  it("renders histograms with cumulative buckets, +Inf, sum and count", () => {
    const registry = new Registry();
    const h = registry.histogram({ name: "took_seconds", help: "Took.", buckets: [0.5, 1, 2.5] });
    for (const v of [0.1, 0.5, 0.7, 3, 100]) h.observe(v);
    const labelled = registry.histogram<{ op: string }>({
      name: "op_seconds",
      help: "Op.",
      labelNames: ["op"],
      buckets: [1],
    });
    labelled.observe({ op: "put" }, 2);
    expect(registry.render()).toBe(
      [
        "# HELP took_seconds Took.",
        "# TYPE took_seconds histogram",
        'took_seconds_bucket{le="0.5"} 2',
        'took_seconds_bucket{le="1"} 3',
        'took_seconds_bucket{le="2.5"} 3',
        'took_seconds_bucket{le="+Inf"} 5',
        "took_seconds_sum 104.3",
        "took_seconds_count 5",
        "# HELP op_seconds Op.",
        "# TYPE op_seconds histogram",
        'op_seconds_bucket{op="put",le="1"} 0',
        'op_seconds_bucket{op="put",le="+Inf"} 1',
        'op_seconds_sum{op="put"} 2',
        'op_seconds_count{op="put"} 1',
        "",
      ].join("\n"),
    );
  });

  it("refuses what Prometheus would reject, and counters going down", () => {
    const registry = new Registry();
    expect(() => registry.counter({ name: "bad-name", help: "" })).toThrow(/invalid metric name/);
    expect(() => registry.counter<{ __x: string }>({ name: "a", help: "", labelNames: ["__x"] })).toThrow(
      /invalid label name/,
    );
    expect(() =>
      registry.histogram<{ le: string }>({ name: "h", help: "", labelNames: ["le"], buckets: [1] }),
    ).toThrow(/"le"/);
    expect(() => registry.histogram({ name: "h2", help: "", buckets: [2, 1] })).toThrow(/ascending/);
    const c = registry.counter({ name: "c_total", help: "" });
    expect(() => c.inc(-1)).toThrow(/cannot go down/);
    expect(() => registry.counter({ name: "c_total", help: "" })).toThrow(/registered twice/);
    const l = registry.counter<{ a: string }>({ name: "l_total", help: "", labelNames: ["a"] });
    expect(() => l.inc({ b: "x" } as unknown as { a: string })).toThrow(/takes labels \[a\], not \[b\]/);
  });
});

describe("the server's metrics", () => {
  it("start with known outcomes at zero, and render every metric the server uses", () => {
    const m = createServerMetrics();
    m.backupTotal.inc({ outcome: "Completed" });
    m.backupDuration.observe(42);
    m.backupItems.inc(120);
    m.backupBytes.inc(4096);
    m.backupLastSuccessfulTimestamp.set({ schedule: "nightly" }, 1_795_676_400);
    m.leader.set(1);
    const text = m.registry.render();
    expect(text).toContain(
      [
        "# HELP kubesnap_backup_total Backups finished, by outcome.",
        "# TYPE kubesnap_backup_total counter",
        'kubesnap_backup_total{outcome="Completed"} 1',
        'kubesnap_backup_total{outcome="Failed"} 0',
        'kubesnap_backup_total{outcome="PartiallyFailed"} 0',
      ].join("\n"),
    );
    expect(text).toContain('kubesnap_restore_total{outcome="Failed"} 0\n');
    expect(text).toContain('kubesnap_backup_duration_seconds_bucket{le="30"} 0\n');
    expect(text).toContain('kubesnap_backup_duration_seconds_bucket{le="60"} 1\n');
    expect(text).toContain("kubesnap_restore_duration_seconds_count 0\n");
    expect(text).toContain("kubesnap_backup_items_total 120\n");
    expect(text).toContain("kubesnap_backup_bytes_total 4096\n");
    expect(text).toContain('kubesnap_backup_last_successful_timestamp{schedule="nightly"} 1795676400\n');
    expect(text).toContain("# TYPE kubesnap_leader gauge\nkubesnap_leader 1\n");
    expect(text).toContain("kubesnap_pre_delete_bypass_total 0\n");
    // Every line is a comment or a sample: name, optional labels, one value.
    for (const line of text.trimEnd().split("\n"))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .*|\w+(\{.*\})? (-?[\d.e+]+|[+-]Inf|NaN))$/);
  });
});
