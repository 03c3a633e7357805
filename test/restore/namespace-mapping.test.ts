import { beforeAll, describe, expect, it } from "vitest";
import { isolateCli } from "../cli.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { Api, type Obj, readAll, refOf } from "./api.js";
import { comparable, RESTORE_LABEL } from "./checks.js";
import { backupOk, type RestoreRun, restore } from "./records.js";
import { createWorkload, type Workload, waitSettled } from "./workload.js";

/** A copy of a live namespace under another name, in the same cluster, beside the original. */
describe("restore --namespace-mappings src:dst while src still exists", () => {
  const api = new Api(testEnv().clusters[0]!);
  const src = uniqueName("mapsrc");
  const dst = `${src}-copy`;
  const backupName = `${src}-backup`;
  let workload: Workload;
  let srcBefore: Obj[];
  let run: RestoreRun;

  beforeAll(async () => {
    isolateCli(testEnv().clusters[0]!);
    // Node ports are cluster-wide: an explicit one would collide with the original's.
    workload = await createWorkload(api, src, { explicitNodePort: false });
    await waitSettled(api, src);
    await backupOk(backupName, "--include-namespaces", src);
    srcBefore = await readAll(api, workload.objects.map(refOf));
    run = await restore(`${src}-restore`, backupName, ["--namespace-mappings", `${src}:${dst}`]);
  });

  it("ends Completed with no errors", () => {
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([]);
    expect(run.record.status).toMatchObject({ phase: "Completed", errors: 0, warnings: 0 });
    expect(run.describe).toMatch(new RegExp(`^\\s+Mappings:\\s+${src}:${dst}$`, "m"));
  });

  it("creates dst from src's Namespace object, renamed", async () => {
    const namespace = await api.read({ apiVersion: "v1", kind: "Namespace", name: dst });
    expect(namespace.metadata.labels).toMatchObject({
      "kubernetes.io/metadata.name": dst,
      "pod-security.kubernetes.io/enforce": "baseline",
      team: "payments",
    });
  });

  it("puts every object in dst with src's content, RoleBinding subjects rewritten to dst", async () => {
    const copies = await readAll(
      api,
      workload.objects.map((o) => ({ ...refOf(o), namespace: dst })),
    );
    for (const [i, original] of srcBefore.entries()) {
      const copy = copies[i]!;
      const what = `${original.kind} ${original.metadata.name}`;
      expect(copy.metadata.namespace, what).toBe(dst);
      expect(copy.metadata.labels?.[RESTORE_LABEL], what).toBe(`${src}-restore`);
      const expected = comparable(original);
      if (original.kind === "RoleBinding") {
        expected.subjects = [
          { kind: "ServiceAccount", name: "app-sa", namespace: dst },
          { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane" },
        ];
      }
      expect(comparable(copy), what).toEqual(expected);
    }
  });

  it("lets the copy's Deployment make its own ReplicaSet and Pods in dst", async () => {
    const deployment = await api.read({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: dst,
      name: "web",
    });
    await eventually("two Pods of the copy", async () => {
      const pods = await api.list({ apiVersion: "v1", kind: "Pod", namespace: dst }, "app=web");
      return pods.length === 2 ? true : undefined;
    });
    const replicaSets = await api.list(
      { apiVersion: "apps/v1", kind: "ReplicaSet", namespace: dst },
      "app=web",
    );
    expect(replicaSets.map((rs) => rs.metadata.ownerReferences?.[0]?.uid)).toEqual([deployment.metadata.uid]);
  });

  it("changes nothing in src", async () => {
    const srcAfter = await readAll(api, workload.objects.map(refOf));
    for (const [i, before] of srcBefore.entries()) {
      const after = srcAfter[i]!;
      const what = `${before.kind} ${before.metadata.name}`;
      expect(after.metadata.uid, what).toBe(before.metadata.uid);
      expect(comparable(after, { keepNodePorts: true }), what).toEqual(
        comparable(before, { keepNodePorts: true }),
      );
      expect(after.metadata.labels?.[RESTORE_LABEL], what).toBeUndefined();
    }
    const namespace = await api.read({ apiVersion: "v1", kind: "Namespace", name: src });
    expect(namespace.metadata.labels?.[RESTORE_LABEL]).toBeUndefined();
    const pods = await api.list({ apiVersion: "v1", kind: "Pod", namespace: src }, "app=web");
    expect(pods).toHaveLength(2);
  });

  it("gets the copy's NodePort Service a port of its own", async () => {
    const service = (namespace: string) =>
      api.read({ apiVersion: "v1", kind: "Service", namespace, name: "nodeport" });
    const port = (object: Obj) => (object.spec as { ports: { nodePort: number }[] }).ports[0]!.nodePort;
    expect(port(await service(dst))).not.toBe(port(await service(src)));
  });
});
