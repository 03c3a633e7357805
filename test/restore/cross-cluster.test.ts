import { beforeAll, describe, expect, it } from "vitest";
import { isolateCli } from "../cli.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { Api, type Obj, readAll, refOf, waitEstablished } from "./api.js";
import { comparable, RESTORE_LABEL } from "./checks.js";
import { backupOk, type RestoreRun, restore } from "./records.js";
import { createWorkload, type Workload, waitSettled } from "./workload.js";

/** Migration: back up from the first cluster, restore into the second with the global --kubeconfig. */
describe("restoring into another cluster", () => {
  const [first, second] = testEnv().clusters;
  const source = new Api(first!);
  const target = new Api(second!);
  const ns = uniqueName("migrate");
  const backupName = `${ns}-backup`;
  let workload: Workload;
  let original: Obj[];
  let run: RestoreRun;

  beforeAll(async () => {
    isolateCli(first!);
    workload = await createWorkload(source, ns, { explicitNodePort: true });
    await waitSettled(source, ns);
    await backupOk(backupName, "--include-namespaces", ns);
    original = await readAll(source, workload.objects.map(refOf));
    run = await restore(`${ns}-restore`, backupName, [], ["--kubeconfig", second!.kubeconfig]);
  });

  it("ends Completed with no errors", () => {
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([]);
    expect(run.record.status).toMatchObject({ phase: "Completed", errors: 0, warnings: 0 });
  });

  it("creates the CRD there (Established) before its custom resources", async () => {
    await waitEstablished(target, workload.crd.metadata.name);
    const crd = await target.read(refOf(workload.crd));
    expect(crd.spec).toEqual(workload.crd.spec);
    const widgets = await target.list({
      apiVersion: workload.widgetApiVersion,
      kind: "Widget",
      namespace: ns,
    });
    expect(widgets.map((w) => [w.metadata.name, w.spec])).toEqual(
      original.filter((o) => o.kind === "Widget").map((w) => [w.metadata.name, w.spec]),
    );
  });

  it("brings the whole workload over, explicit node port included", async () => {
    const copies = await readAll(target, original.map(refOf));
    for (const [i, before] of original.entries()) {
      const what = `${before.kind} ${before.metadata.name}`;
      expect(copies[i]!.metadata.labels?.[RESTORE_LABEL], what).toBe(`${ns}-restore`);
      expect(comparable(copies[i]!, { keepNodePorts: before.metadata.name === "nodeport" }), what).toEqual(
        comparable(before, { keepNodePorts: before.metadata.name === "nodeport" }),
      );
    }
  });

  it("runs the workload with the second cluster's controllers", async () => {
    await eventually("the Deployment's two Pods in the second cluster", async () => {
      const pods = await target.list({ apiVersion: "v1", kind: "Pod", namespace: ns }, "app=web");
      return pods.length === 2 ? true : undefined;
    });
    await eventually("the StatefulSet's Pod in the second cluster", async () => {
      const pods = await target.list({ apiVersion: "v1", kind: "Pod", namespace: ns }, "app=db");
      return pods.length === 1 ? true : undefined;
    });
  });

  it("leaves the first cluster as it was", async () => {
    const after = await readAll(source, original.map(refOf));
    expect(after.map((o) => o.metadata.uid)).toEqual(original.map((o) => o.metadata.uid));
    expect(after.filter((o) => o.metadata.labels?.[RESTORE_LABEL] !== undefined)).toEqual([]);
  });
});
