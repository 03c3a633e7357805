import { describe, expect, it } from "vitest";
import { KubesnapError } from "../../core/errors.js";
import { parseOutputFormat, renderObjects, type TableView } from "./format.js";

interface Backup {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  status: { phase: string; startTimestamp?: Date };
}

const backup = (name: string, phase: string): Backup => ({
  apiVersion: "kubesnap.io/v1",
  kind: "Backup",
  metadata: { name },
  status: { phase },
});

const view: TableView<Backup> = {
  columns: ["Name", "Status"],
  toRow: (b) => [b.metadata.name, b.status.phase],
};

describe("parseOutputFormat", () => {
  it("accepts table, json and yaml in any case", () => {
    expect(parseOutputFormat("table")).toBe("table");
    expect(parseOutputFormat("JSON")).toBe("json");
    expect(parseOutputFormat(" yaml ")).toBe("yaml");
  });

  it("lists the allowed values when given another", () => {
    const err = (() => {
      try {
        parseOutputFormat("wide");
      } catch (caught) {
        return caught;
      }
    })();
    expect(err).toBeInstanceOf(KubesnapError);
    expect(err).toMatchObject({
      code: "InvalidInput",
      message: 'Unsupported output format "wide"',
      hint: "use one of table, json, yaml",
    });
  });
});

describe("renderObjects", () => {
  const backups = [backup("nightly-20261126070000", "Completed"), backup("weekly-20261122030000", "Failed")];

  it("renders a table through the view", () => {
    expect(renderObjects(backups, "table", view)).toBe(
      "NAME                     STATUS\nnightly-20261126070000   Completed\nweekly-20261122030000    Failed\n",
    );
  });

  it("prints a single object as itself in json", () => {
    const [first] = backups;
    const out = renderObjects([first!], "json", view);
    expect(JSON.parse(out)).toEqual(first);
    expect(out).toMatch(/^{\n {2}"apiVersion": "kubesnap.io\/v1",\n/);
    expect(out.endsWith("}\n")).toBe(true);
  });

  it("wraps several objects, or none, in a kubectl List", () => {
    expect(JSON.parse(renderObjects(backups, "json", view))).toEqual({
      apiVersion: "v1",
      kind: "List",
      items: backups,
    });
    expect(JSON.parse(renderObjects([], "json", view))).toEqual({
      apiVersion: "v1",
      kind: "List",
      items: [],
    });
  });

  it("writes yaml as kubectl does", () => {
    expect(renderObjects(backups, "yaml", view)).toBe(
      [
        "apiVersion: v1",
        "kind: List",
        "items:",
        "- apiVersion: kubesnap.io/v1",
        "  kind: Backup",
        "  metadata:",
        "    name: nightly-20261126070000",
        "  status:",
        "    phase: Completed",
        "- apiVersion: kubesnap.io/v1",
        "  kind: Backup",
        "  metadata:",
        "    name: weekly-20261122030000",
        "  status:",
        "    phase: Failed",
        "",
      ].join("\n"),
    );
  });

  it("gives json and yaml the same content: dates as RFC 3339, undefined fields dropped", () => {
    const withDate: Backup = {
      ...backup("daily", "InProgress"),
      metadata: { name: "daily", labels: { "kubesnap.io/schedule-name": "daily" } },
      status: { phase: "InProgress", startTimestamp: new Date("2026-11-26T07:00:00Z") },
    };
    const sparse = { ...withDate, spec: undefined };
    expect(JSON.parse(renderObjects([sparse], "json", view)).status.startTimestamp).toBe(
      "2026-11-26T07:00:00.000Z",
    );
    const yaml = renderObjects([sparse], "yaml", view);
    expect(yaml).toContain("startTimestamp: 2026-11-26T07:00:00.000Z\n");
    expect(yaml).toContain("kubesnap.io/schedule-name: daily\n");
    expect(yaml).not.toContain("spec");
  });

  it("never folds long values in yaml", () => {
    const long = "x".repeat(200);
    expect(renderObjects([{ ...backup(long, "Completed") }], "yaml", view)).toContain(`name: ${long}\n`);
  });
});
