import { describe, expect, expectTypeOf, it } from "vitest";
import type { BackupStatus as EngineBackupStatus } from "../backup/record.js";
import { parseDuration } from "../core/duration.js";
import { parseLabelSelector } from "../restore/plan/label-selector.js";
import type {
  RestoreSpec as EngineRestoreSpec,
  RestoreStatus as EngineRestoreStatus,
} from "../restore/record.js";
import {
  type BackupStatus,
  backupSpecSchema,
  CRON_PATTERN,
  crds,
  DURATION_PATTERN,
  KINDS,
  LABEL_SELECTOR_PATTERN,
  type OpenApiSchema,
  type RestoreSpec,
  type RestoreStatus,
  restoreSpecSchema,
  SCHEDULE_NAME_MAX,
  scheduleSpecSchema,
  validate,
} from "./index.js";

type Version = {
  name: string;
  subresources: { status: object };
  additionalPrinterColumns: { name: string; jsonPath: string }[];
  schema: { openAPIV3Schema: OpenApiSchema };
};
type Crd = { metadata: { name: string }; spec: { group: string; scope: string; versions: Version[] } };

const all = crds() as unknown as Crd[];

/** Every node typed, objects with properties or additionalProperties: Kubernetes' structural rule. */
function structuralProblems(node: OpenApiSchema, path: string): string[] {
  const problems: string[] = [];
  if (!node.type) problems.push(`${path}: no type`);
  if ("x-kubernetes-preserve-unknown-fields" in node) problems.push(`${path}: preserves unknown fields`);
  if (node.type === "object" && !node.properties && !node.additionalProperties && path !== ".metadata")
    problems.push(`${path}: an object with neither properties nor additionalProperties`);
  for (const [key, child] of Object.entries(node.properties ?? {}))
    problems.push(...structuralProblems(child, `${path}.${key}`));
  if (node.items) problems.push(...structuralProblems(node.items, `${path}[]`));
  if (node.additionalProperties) problems.push(...structuralProblems(node.additionalProperties, `${path}{}`));
  return problems;
}

/** Every default, checked against the schema it is the default of. */
function badDefaults(node: OpenApiSchema, path: string): string[] {
  const here =
    node.default === undefined ? [] : validate({ openApi: node, optional: false }, node.default, path);
  return [
    ...here,
    ...Object.entries(node.properties ?? {}).flatMap(([k, child]) => badDefaults(child, `${path}.${k}`)),
    ...(node.items ? badDefaults(node.items, `${path}[]`) : []),
  ];
}

function fieldAt(root: OpenApiSchema, jsonPath: string): OpenApiSchema | undefined {
  let node: OpenApiSchema | undefined = root;
  for (const key of jsonPath.split(".").slice(1)) node = node?.properties?.[key];
  return node;
}

describe("the CRDs", () => {
  it("define the nine kinds of kubesnap.io/v1, namespaced, with a status subresource", () => {
    expect(all.map((c) => c.metadata.name).sort()).toEqual([
      "backups.kubesnap.io",
      "backupstoragelocations.kubesnap.io",
      "deletebackuprequests.kubesnap.io",
      "downloadrequests.kubesnap.io",
      "podvolumebackups.kubesnap.io",
      "podvolumerestores.kubesnap.io",
      "restores.kubesnap.io",
      "schedules.kubesnap.io",
      "triggers.kubesnap.io",
    ]);
    for (const crd of all) {
      expect(crd.spec.group).toBe("kubesnap.io");
      expect(crd.spec.scope).toBe("Namespaced");
      expect(crd.spec.versions.map((v) => v.name)).toEqual(["v1"]);
      expect(crd.spec.versions[0]?.subresources).toEqual({ status: {} });
    }
  });

  it("have structural schemas with valid defaults", () => {
    for (const crd of all) {
      const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;
      expect(structuralProblems(schema, ""), crd.metadata.name).toEqual([]);
      expect(badDefaults(schema, ""), crd.metadata.name).toEqual([]);
    }
  });

  it("print columns that name fields of the schema (metadata aside)", () => {
    for (const crd of all) {
      const version = crd.spec.versions[0]!;
      expect(version.additionalPrinterColumns.length).toBeGreaterThan(1);
      for (const column of version.additionalPrinterColumns) {
        if (column.jsonPath.startsWith(".metadata.")) continue;
        expect(
          fieldAt(version.schema.openAPIV3Schema, column.jsonPath),
          `${crd.metadata.name} ${column.name}`,
        ).toBeDefined();
      }
    }
  });

  it("show the Backup columns Velero users know", () => {
    const backups = all.find((c) => c.metadata.name === "backups.kubesnap.io")!;
    expect(backups.spec.versions[0]!.additionalPrinterColumns.map((c) => c.name)).toEqual([
      "Status",
      "Errors",
      "Warnings",
      "Created",
      "Expires",
      "Storage Location",
      "Selector",
    ]);
  });

  it("are all built from KINDS", () => {
    expect(KINDS.map((k) => `${k.plural}.kubesnap.io`)).toEqual(all.map((c) => c.metadata.name));
  });
});

describe("the schemas reject bad specs before any controller sees them", () => {
  it("an empty Backup spec is complete once defaulted; bad values are named", () => {
    expect(validate(backupSpecSchema, {})).toEqual([]);
    expect(validate(backupSpecSchema, { ttl: "3 days", labelSelector: "app in (web" }, "spec")).toEqual([
      'spec.ttl: "3 days": must be a duration such as "720h0m0s", "1h30m", "90s" or "7d"',
      'spec.labelSelector: "app in (web": must be a label selector such as app=nginx, tier!=db, ' +
        "tier in (a,b), !canary, separated by commas",
    ]);
    expect(validate(backupSpecSchema, { storageLocation: "Not_A_Name" })).toHaveLength(1);
  });

  it("a Schedule needs a cron expression and non-negative keep rules", () => {
    expect(validate(scheduleSpecSchema, {})).toEqual(["schedule: is required"]);
    expect(validate(scheduleSpecSchema, { schedule: "every day" })).toHaveLength(1);
    expect(validate(scheduleSpecSchema, { schedule: "@daily", keep: { keepDaily: -1 } })).toEqual([
      "keep.keepDaily: must be at least 0",
    ]);
    expect(SCHEDULE_NAME_MAX + "-20261126070000".length).toBe(63);
  });

  it("a Restore needs its backup", () => {
    expect(validate(restoreSpecSchema, {})).toEqual(["backupName: is required"]);
    expect(validate(restoreSpecSchema, { backupName: "b", existingResourcePolicy: "replace" })).toHaveLength(
      1,
    );
  });
});

describe("patterns agree with the CLI's parsers", () => {
  const matches = (pattern: string, value: string) => new RegExp(pattern).test(value);
  const parses = (parse: (v: string) => unknown, value: string) => {
    try {
      parse(value);
      return true;
    } catch {
      return false;
    }
  };

  it.each([
    "720h0m0s",
    "1h30m",
    "90s",
    "1.5h",
    "500ms",
    "7d",
    "0",
    "2µs",
    ".5s",
    "1.s",
    "3 days",
    "",
    "-1h",
    "h",
    "10",
    "1y",
    "1h 30m",
  ])("duration %j", (value) => {
    expect(matches(DURATION_PATTERN, value)).toBe(parses(parseDuration, value));
  });

  it.each([
    "app=nginx",
    "app = nginx",
    "app==nginx,tier!=db",
    "tier in (web,api)",
    "tier in (web, api), !canary",
    "tier notin (a)",
    "gpu",
    "!gpu",
    "example.com/team=a",
    "app=",
    "App.Name_1=Value-2",
    "app in (web",
    "app=nginx,",
    "=x",
    "app=ngi nx",
    "app=-x",
    "a b",
    "in (a)",
  ])("label selector %j", (value) => {
    expect(matches(LABEL_SELECTOR_PATTERN, value)).toBe(parses(parseLabelSelector, value));
  });

  it.each([
    ["0 7 * * *", true],
    ["*/15 * * * MON-FRI", true],
    ["0 0 1,15 * ?", true],
    ["@daily", true],
    ["@every 6h", true],
    ["@every 1h30m", true],
    ["every day", false],
    ["0 7 * *", false],
    ["0 7 * * * *", false],
    ["@sometimes", false],
    ["@every soon", false],
  ])("cron %j is %s", (value, valid) => {
    expect(matches(CRON_PATTERN, value)).toBe(valid);
  });
});

describe("the engine's records fit the API", () => {
  it("a local backup's status is a Backup status, and restore specs convert both ways", () => {
    expectTypeOf<EngineBackupStatus>().toExtend<BackupStatus>();
    expectTypeOf<EngineRestoreStatus>().toExtend<RestoreStatus>();
    expectTypeOf<EngineRestoreSpec>().toExtend<RestoreSpec>();
    expectTypeOf<RestoreSpec>().toExtend<EngineRestoreSpec>();
  });
});
