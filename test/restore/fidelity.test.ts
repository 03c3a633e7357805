import { beforeAll, describe, expect, it } from "vitest";
import { isolateCli } from "../cli.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { Api, type Obj, readAll, refOf, waitEstablished } from "./api.js";
import { comparable, OWNED_KINDS, RESTORE_LABEL } from "./checks.js";
import { backupOk, groupLines, restore } from "./records.js";
import { createWorkload, type Workload, waitSettled } from "./workload.js";

/**
 * The disaster: a namespace with ~27 kinds is backed up, deleted with its CRD, and restored.
 * Everything the user made comes back as it was (less what kubesnap documents as cleaned);
 * what controllers made is made again by the restored controllers, not restored as copies.
 */
describe("restoring a deleted namespace", () => {
  const api = new Api(testEnv().clusters[0]!);
  const ns = uniqueName("fidelity");
  const backupName = `${ns}-backup`;
  const restoreName = `${ns}-restore`;
  let workload: Workload;
  let original: Obj[];
  let originalNamespace: Obj;
  let groups: string[];
  let run: Awaited<ReturnType<typeof restore>>;

  beforeAll(async () => {
    isolateCli(testEnv().clusters[0]!);
    workload = await createWorkload(api, ns, { explicitNodePort: true });
    await waitSettled(api, ns);
    groups = groupLines(await backupOk(backupName, "--include-namespaces", ns));
    // What the backup took, as the cluster had it.
    original = await readAll(api, workload.objects.map(refOf));
    originalNamespace = await api.read({ apiVersion: "v1", kind: "Namespace", name: ns });

    await api.remove({ apiVersion: "v1", kind: "Namespace", name: ns });
    await api.removeAndWait(refOf(workload.crd));
    await eventually(
      `namespace ${ns} to be gone`,
      async () => ((await api.find({ apiVersion: "v1", kind: "Namespace", name: ns })) ? undefined : true),
      120_000,
    );
    run = await restore(restoreName, backupName);
  });

  it("backs up the namespace, its CRD and every kind in it, but no Lease", () => {
    const resources = new Set(groups.map((line) => line.split(" ")[0]));
    for (const resource of [
      "configmaps",
      "secrets",
      "serviceaccounts",
      "roles.rbac.authorization.k8s.io",
      "rolebindings.rbac.authorization.k8s.io",
      "resourcequotas",
      "limitranges",
      "networkpolicies.networking.k8s.io",
      "poddisruptionbudgets.policy",
      "persistentvolumeclaims",
      "services",
      "endpoints",
      "endpointslices.discovery.k8s.io",
      "ingresses.networking.k8s.io",
      "deployments.apps",
      "statefulsets.apps",
      "daemonsets.apps",
      "replicasets.apps",
      "controllerrevisions.apps",
      "replicationcontrollers",
      "cronjobs.batch",
      "jobs.batch",
      "pods",
      "podtemplates",
      "horizontalpodautoscalers.autoscaling",
      `widgets.${workload.widgetApiVersion.split("/")[0]}`,
      "namespaces",
      "customresourcedefinitions.apiextensions.k8s.io",
    ]) {
      expect(resources, `backup groups: ${groups.join(", ")}`).toContain(resource);
    }
    expect([...resources].filter((r) => r?.startsWith("leases"))).toEqual([]);
    // Only this namespace, and of the cluster scope only what it needs.
    expect(groups.filter((line) => !line.includes(` ${ns}=`) && !line.includes(" -="))).toEqual([]);
    expect(groups.filter((line) => line.includes(" -="))).toEqual([
      "customresourcedefinitions.apiextensions.k8s.io -=1",
      "namespaces -=1",
    ]);
  });

  it("ends Completed with no errors, and restore describe says so", () => {
    expect(run.record.status).toMatchObject({ phase: "Completed", errors: 0, warnings: 0 });
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([]);
    expect(run.describe).toMatch(/^Phase:\s+Completed$/m);
    expect(run.describe).toMatch(/^Errors \(0\):$/m);
    expect(run.describe).toMatch(/^Backup:\s+\S+-backup$/m);
    // Owned items were left to their controllers.
    expect(run.record.status.skipped["owned-by-restored-controller"]).toBeGreaterThan(0);
  });

  it("restores the Namespace with its labels and annotations", async () => {
    const restored = await api.read({ apiVersion: "v1", kind: "Namespace", name: ns });
    expect(comparable(restored).labels).toEqual(comparable(originalNamespace).labels);
    expect(restored.metadata.annotations).toEqual(originalNamespace.metadata.annotations);
    expect(restored.metadata.labels?.[RESTORE_LABEL]).toBe(restoreName);
  });

  it("restores the CRD (Established) and its custom resources", async () => {
    await waitEstablished(api, workload.crd.metadata.name);
    const crd = await api.read(refOf(workload.crd));
    expect(crd.metadata.uid).not.toBe(workload.crd.metadata.uid);
    expect(crd.spec).toEqual(workload.crd.spec);
    const widgets = await api.list({ apiVersion: workload.widgetApiVersion, kind: "Widget", namespace: ns });
    expect(widgets.map((w) => w.metadata.name).sort()).toEqual(["gear", "sprocket"]);
  });

  it("brings back every object's content: spec, data, rules, subjects, labels and annotations", async () => {
    const restored = await readAll(api, original.map(refOf));
    for (const [i, before] of original.entries()) {
      const after = restored[i]!;
      const what = `${before.kind} ${before.metadata.name}`;
      expect(after.metadata.uid, what).not.toBe(before.metadata.uid);
      expect(after.metadata.labels?.[RESTORE_LABEL], what).toBe(restoreName);
      expect(comparable(after), what).toEqual(comparable(before));
    }
  });

  it("keeps the explicit node port and allocates new cluster IPs", async () => {
    const byName = (objects: Obj[], name: string) =>
      objects.find((o) => o.kind === "Service" && o.metadata.name === name)!;
    const restored = await readAll(api, original.filter((o) => o.kind === "Service").map(refOf));
    const nodePort = byName(restored, "nodeport").spec as { ports: { nodePort: number }[] };
    expect(nodePort.ports[0]!.nodePort).toBe(workload.nodePort);
    const headless = byName(restored, "db-headless").spec as { clusterIP: string };
    expect(headless.clusterIP).toBe("None");
    const web = byName(restored, "web").spec as { clusterIP?: string };
    expect(web.clusterIP).toMatch(/^10\.0\.0\.\d+$/);
  });

  it("lets the hand-made service-account token be signed again by this cluster", async () => {
    const token = await eventually("a new token", async () => {
      const secret = await api.read({
        apiVersion: "v1",
        kind: "Secret",
        namespace: ns,
        name: "app-sa-token",
      });
      return (secret.data as Record<string, string> | undefined)?.token;
    });
    const before = original.find((o) => o.kind === "Secret" && o.metadata.name === "app-sa-token")!;
    expect(token).not.toBe((before.data as Record<string, string>).token);
  });

  it("leaves ReplicaSets and Pods of the Deployment to the controller-manager", async () => {
    const deployment = await api.read({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: ns,
      name: "web",
    });
    const replicaSet = await eventually("a ReplicaSet owned by the restored Deployment", async () => {
      const list = await api.list({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: ns }, "app=web");
      return list.find((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === deployment.metadata.uid));
    });
    expect(replicaSet.metadata.labels?.[RESTORE_LABEL]).toBeUndefined();
    const pods = await eventually("two Pods of that ReplicaSet", async () => {
      const list = await api.list({ apiVersion: "v1", kind: "Pod", namespace: ns }, "app=web");
      const owned = list.filter((p) =>
        p.metadata.ownerReferences?.some((o) => o.uid === replicaSet.metadata.uid),
      );
      return owned.length === 2 ? owned : undefined;
    });
    for (const pod of pods) expect(pod.metadata.labels?.[RESTORE_LABEL]).toBeUndefined();
  });

  it("restores no owned object as a copy, and no Lease", async () => {
    // Of the kinds controllers make, only the objects the user made are restored.
    // (The EndpointSlice controllers copy their Service's or Endpoints' labels, restore labels
    // included, onto the slices they make; those are theirs, owned by the new objects.)
    const restoredCopies: string[] = [];
    for (const kind of OWNED_KINDS) {
      const list = await api.list({ ...kind, namespace: ns }, RESTORE_LABEL);
      for (const object of list) {
        const managedBy = object.metadata.labels?.["endpointslice.kubernetes.io/managed-by"] ?? "";
        if (managedBy.endsWith("controller.k8s.io")) {
          const owner = object.metadata.ownerReferences?.[0];
          const current = await api.read({
            apiVersion: "v1",
            kind: owner!.kind,
            namespace: ns,
            name: owner!.name,
          });
          expect(owner!.uid, `${object.metadata.name} is owned by the restored ${owner!.kind}`).toBe(
            current.metadata.uid,
          );
        } else restoredCopies.push(`${object.kind} ${object.metadata.name}`);
      }
    }
    expect(restoredCopies.sort()).toEqual([
      "EndpointSlice manual-1",
      "Job migrate",
      "Pod standalone",
      "ReplicaSet standalone-rs",
    ]);
    // The StatefulSet, DaemonSet and Job controllers made their own again.
    await eventually("the StatefulSet's pod and revision", async () => {
      const pods = await api.list({ apiVersion: "v1", kind: "Pod", namespace: ns }, "app=db");
      const revisions = await api.list(
        { apiVersion: "apps/v1", kind: "ControllerRevision", namespace: ns },
        "app=db",
      );
      return pods.length === 1 && revisions.length === 1 ? true : undefined;
    });
    await eventually("a Pod of the restored Job", async () => {
      const pods = await api.list({ apiVersion: "v1", kind: "Pod", namespace: ns }, "task=migrate");
      return pods.length > 0 ? true : undefined;
    });
    expect(await api.list({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: ns })).toEqual(
      [],
    );
  });
});
