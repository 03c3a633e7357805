import { describe, expect, it } from "vitest";
import { backupCause, describeCause, TRIGGER_CAUSE_ANNOTATION, triggeredBackup } from "./backup.js";
import { trigger } from "./testing.test-helper.js";
import { recordChange } from "./window.js";

const window = recordChange(
  recordChange(
    undefined,
    { event: "update", resource: "deployments.apps", namespace: "shop", name: "web", resourceVersion: "41" },
    { now: new Date("2026-11-26T07:00:00.400Z") },
  ),
  { event: "update", resource: "deployments.apps", namespace: "cart", name: "api", resourceVersion: "42" },
  { now: new Date("2026-11-26T07:00:01Z") },
);

describe("triggeredBackup", () => {
  it("is named after the second its window opened, labelled with the trigger, annotated with the causes", () => {
    const backup = triggeredBackup(trigger("on-deploy"), window);
    expect(backup.name).toBe("on-deploy-20261126070000");
    expect(backup.labels).toEqual({ team: "shop", "kubesnap.io/trigger-name": "on-deploy" });
    expect(backupCause({ metadata: { name: backup.name, annotations: backup.annotations } })).toEqual({
      changes: 2,
      causes: window.causes,
    });
  });

  it("takes the changed namespaces by default, and the template's when told to", () => {
    expect(triggeredBackup(trigger("t"), window).spec.includedNamespaces).toEqual(["cart", "shop"]);
    const template = trigger("t", { backupNamespaces: "Template" });
    expect(triggeredBackup(template, window).spec).toBe(template.spec.template);
  });

  it("keeps the template's namespaces when only cluster-scoped objects changed", () => {
    const clusterWide = recordChange(
      undefined,
      { event: "create", resource: "namespaces", name: "new", resourceVersion: "7" },
      { now: new Date("2026-11-26T07:00:00Z") },
    );
    expect(triggeredBackup(trigger("t"), clusterWide).spec.includedNamespaces).toEqual(["*"]);
  });
});

describe("backupCause", () => {
  it("reads nothing from other backups or a hand-edited annotation", () => {
    expect(backupCause({ metadata: { name: "b" } })).toBeUndefined();
    expect(
      backupCause({ metadata: { name: "b", annotations: { [TRIGGER_CAUSE_ANNOTATION]: "{" } } }),
    ).toBeUndefined();
  });

  it("describes a cause in one line", () => {
    expect(describeCause(window.causes[0]!)).toBe(
      "update of deployments.apps shop/web at resourceVersion 41",
    );
  });
});
