import { describe, expect, it } from "vitest";
import type { Backup } from "../api/index.js";
import type { BackupTarget } from "./admission.js";
import {
  preDeleteBackup,
  preDeleteBackupName,
  REUSE_WINDOW_MS,
  reusableBackup,
  verdict,
} from "./pre-delete.js";

const NOW = new Date(Date.UTC(2026, 10, 26, 7, 0, 0));
const PROD: BackupTarget = { kind: "Namespace", name: "prod", uid: "uid-1" };
const WIDGETS: BackupTarget = { kind: "CustomResourceDefinition", name: "widgets.example.com", uid: "uid-2" };

function backup(name: string, status?: Partial<NonNullable<Backup["status"]>>, created = NOW): Backup {
  return {
    apiVersion: "kubesnap.io/v1",
    kind: "Backup",
    metadata: { name, creationTimestamp: created.toISOString() },
    spec: {} as Backup["spec"],
    ...(status ? { status: { errors: 0, warnings: 0, phase: "New", ...status } } : {}),
  };
}

describe("preDeleteBackupName", () => {
  it("is pre-delete-NAME-yyyyMMddHHmmss in UTC", () => {
    expect(preDeleteBackupName(PROD, NOW)).toBe("pre-delete-prod-20261126070000");
    expect(preDeleteBackupName(WIDGETS, NOW)).toBe("pre-delete-widgets.example.com-20261126070000");
  });

  it("cuts a long name and adds a hash of the whole, keeping 63 characters at most", () => {
    const long = `${"a".repeat(50)}.example.com`;
    const other = `${"a".repeat(50)}.example.org`;
    const name = preDeleteBackupName({ name: long }, NOW);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^pre-delete-a+-[0-9a-f]{6}-20261126070000$/);
    expect(preDeleteBackupName({ name: other }, NOW)).not.toBe(name);
    // A cut that would end in '.' or '-' is trimmed: the name stays valid.
    expect(preDeleteBackupName({ name: `${"a".repeat(29)}.${"b".repeat(20)}` }, NOW)).toMatch(
      /^pre-delete-a{29}-[0-9a-f]{6}-\d{14}$/,
    );
  });
});

describe("preDeleteBackup", () => {
  it("takes a namespace's content, labelled with the object's uid", () => {
    expect(preDeleteBackup(PROD, { now: NOW })).toMatchObject({
      metadata: {
        name: "pre-delete-prod-20261126070000",
        labels: { "kubesnap.io/pre-delete-uid": "uid-1" },
        annotations: { "kubesnap.io/pre-delete-of": "Namespace/prod" },
      },
      spec: { includedNamespaces: ["prod"] },
    });
  });

  it("keeps the backup as long as the object's pre-delete TTL says", () => {
    expect(preDeleteBackup({ ...PROD, ttl: "2160h" }, { now: NOW }).spec).toEqual({
      includedNamespaces: ["prod"],
      ttl: "2160h",
    });
  });

  it("takes a CRD's custom resources in every namespace, with the CRDs", () => {
    expect(preDeleteBackup(WIDGETS, { now: NOW }).spec).toEqual({
      includedNamespaces: ["*"],
      includedResources: ["widgets.example.com", "customresourcedefinitions.apiextensions.k8s.io"],
      includeClusterResources: "true",
    });
  });
});

describe("reusableBackup", () => {
  const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

  it("joins a backup still running, or one Completed within the window, the newest first", () => {
    const running = backup("running", { phase: "InProgress" }, new Date(NOW.getTime() - 1000));
    const fresh = backup("fresh", { phase: "Completed", completionTimestamp: minutesAgo(1) }, new Date(0));
    expect(reusableBackup([fresh, running], NOW)?.metadata.name).toBe("running");
    expect(reusableBackup([fresh], NOW)?.metadata.name).toBe("fresh");
    expect(reusableBackup([backup("unstarted")], NOW)?.metadata.name).toBe("unstarted");
  });

  it("starts afresh after a failure or once a completed backup is older than the window", () => {
    const stale = backup("stale", {
      phase: "Completed",
      completionTimestamp: new Date(NOW.getTime() - REUSE_WINDOW_MS - 1).toISOString(),
    });
    expect(reusableBackup([stale, backup("failed", { phase: "Failed" })], NOW)).toBeUndefined();
  });
});

describe("verdict", () => {
  const finished = (status: Partial<NonNullable<Backup["status"]>>) =>
    ({ state: "finished", backup: backup("pre-delete-prod-1", status) }) as const;

  it("allows only a Completed backup, naming it in a warning", () => {
    expect(verdict(PROD, finished({ phase: "Completed" }), "kubesnap")).toEqual({
      allowed: true,
      outcome: "Completed",
      message: expect.stringContaining("kubesnap restore create --from-backup pre-delete-prod-1"),
    });
  });

  it("denies a failed backup with its reason and both ways forward", () => {
    const answer = verdict(
      PROD,
      finished({ phase: "Failed", failureReason: 'BackupStorageLocation "default" is Unavailable: refused' }),
      "kubesnap",
    );
    expect(answer).toMatchObject({ allowed: false, outcome: "Failed" });
    expect(answer.message).toBe(
      'kubesnap: cannot delete namespace "prod" before it is backed up: backup "pre-delete-prod-1" Failed: ' +
        'BackupStorageLocation "default" is Unavailable: refused. Retry the delete, or delete it without a backup: ' +
        "kubectl annotate namespace prod kubesnap.io/allow-delete-without-backup=true " +
        "(or stop protecting it: kubesnap -n kubesnap unprotect namespace prod)",
    );
    const invalid = verdict(
      WIDGETS,
      finished({ phase: "FailedValidation", validationErrors: ["bad"] }),
      "ks",
    );
    expect(invalid.message).toContain("FailedValidation: bad");
    expect(invalid.message).toContain("kubectl annotate crd widgets.example.com");
  });

  it("denies a PartiallyFailed backup: deleting would lose what it could not save", () => {
    expect(verdict(PROD, finished({ phase: "PartiallyFailed", errors: 3 }), "kubesnap")).toMatchObject({
      allowed: false,
      outcome: "PartiallyFailed",
      message: expect.stringContaining("could not save 3 items"),
    });
  });

  it("denies when time runs out, saying whether the backup goes on or never started", () => {
    const slow = backup("b", { phase: "InProgress", progress: { itemsBackedUp: 500, totalItems: 500 } });
    const timedOut = verdict(PROD, { state: "timedOut", backup: slow, waitedMs: 18_500 }, "kubesnap");
    expect(timedOut).toMatchObject({ allowed: false, outcome: "TimedOut" });
    expect(timedOut.message).toContain("did not finish within 19 s (500 items so far); it goes on");
    expect(timedOut.message).toContain("Retry the delete once it has Completed");
    const unstarted = verdict(PROD, { state: "timedOut", backup: backup("b"), waitedMs: 18_500 }, "kubesnap");
    expect(unstarted.message).toContain(
      "was not started within 19 s (is a kubesnap server leading in namespace kubesnap?). Retry",
    );
  });
});
