import { beforeAll, describe, expect, it } from "vitest";
import { isolateCli } from "../cli.js";
import { testEnv } from "../context.js";
import { uniqueName } from "../kube.js";
import { Api, type Obj } from "./api.js";
import { RESTORE_LABEL } from "./checks.js";
import { backupOk, type RestoreRun, restore } from "./records.js";

/**
 * --existing-resource-policy: a namespace is backed up, then changed (objects edited,
 * one deleted, an immutable one replaced), and restored over itself twice: with "none"
 * the edited objects are left alone and named in warnings; with "update" they are
 * patched back to the backup's content.
 */
describe("restoring over existing objects", () => {
  const api = new Api(testEnv().clusters[0]!);
  const ns = uniqueName("existing");
  const backupName = `${ns}-backup`;
  const configMap = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name });
  const deployment = { apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" };
  const image = (object: Obj) =>
    (object.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!
      .image;
  /** The item names of the warnings, e.g. "configmaps NS/settings". */
  const warned = (run: RestoreRun) => run.warnings.map((line) => line.slice(0, line.indexOf(":"))).sort();

  let none: RestoreRun;
  let update: RestoreRun;

  beforeAll(async () => {
    isolateCli(testEnv().clusters[0]!);
    await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    const objects: Obj[] = [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "settings", namespace: ns },
        data: { a: "1", b: "2" },
      },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "same", namespace: ns }, data: { k: "v" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "gone", namespace: ns }, data: { k: "v" } },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "frozen", namespace: ns },
        data: { v: "1" },
        immutable: true,
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "creds", namespace: ns },
        stringData: { p: "x" },
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: ns },
        spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
      },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: ns },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "registry.k8s.io/pause:3.10" }] },
          },
        },
      },
    ];
    for (const object of objects) await api.create(object);
    await backupOk(backupName, "--include-namespaces", ns);

    // The cluster moves on after the backup.
    await api.mergePatch(configMap("settings"), {
      metadata: { labels: { edited: "yes" } },
      data: { a: "changed", b: null, extra: "live-only" },
    });
    await api.mergePatch(deployment, {
      spec: {
        replicas: 3,
        template: { spec: { containers: [{ name: "web", image: "registry.k8s.io/pause:3.9" }] } },
      },
    });
    await api.removeAndWait(configMap("gone"));
    await api.removeAndWait(configMap("frozen"));
    await api.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "frozen", namespace: ns },
      data: { v: "2" },
      immutable: true,
    });

    none = await restore(`${ns}-none`, backupName, ["--existing-resource-policy", "none"]);
    // Read what "none" left before "update" changes it.
    noneState = {
      settings: await api.read(configMap("settings")),
      web: await api.read(deployment),
      gone: await api.read(configMap("gone")),
      same: await api.read(configMap("same")),
    };
    update = await restore(`${ns}-update`, backupName, ["--existing-resource-policy", "update"]);
  });
  let noneState: Record<"settings" | "web" | "gone" | "same", Obj>;

  describe("none", () => {
    it("completes, with a warning naming each existing object that differs and no other", () => {
      expect(none.record.status).toMatchObject({ phase: "Completed", errors: 0 });
      expect(none.describe).toMatch(/^Existing resource policy:\s+none$/m);
      expect(warned(none)).toEqual(
        [`configmaps ${ns}/frozen`, `configmaps ${ns}/settings`, `deployments.apps ${ns}/web`].sort(),
      );
      expect(none.warnings.find((w) => w.startsWith(`configmaps ${ns}/settings`))).toMatch(
        /already exists and differs from the backup/,
      );
    });

    it("leaves existing objects as they are", () => {
      expect(noneState.settings.data).toEqual({ a: "changed", extra: "live-only" });
      expect(noneState.settings.metadata.labels?.[RESTORE_LABEL]).toBeUndefined();
      expect((noneState.web.spec as { replicas: number }).replicas).toBe(3);
      expect(image(noneState.web)).toBe("registry.k8s.io/pause:3.9");
      expect(noneState.same.metadata.labels?.[RESTORE_LABEL]).toBeUndefined();
    });

    it("creates what no longer exists", () => {
      expect(noneState.gone.data).toEqual({ k: "v" });
      expect(noneState.gone.metadata.labels?.[RESTORE_LABEL]).toBe(`${ns}-none`);
    });
  });

  describe("update", () => {
    it("completes; the only warning is the immutable object it could not patch", () => {
      expect(update.record.status).toMatchObject({ phase: "Completed", errors: 0 });
      expect(update.describe).toMatch(/^Existing resource policy:\s+update$/m);
      expect(warned(update)).toEqual([`configmaps ${ns}/frozen`]);
      expect(update.warnings[0]).toMatch(/could not be updated to the backup's content/);
    });

    it("patches differing objects to the backup's content, keeping fields only the live object has", async () => {
      const settings = await api.read(configMap("settings"));
      expect(settings.data).toEqual({ a: "1", b: "2", extra: "live-only" });
      expect(settings.metadata.labels).toMatchObject({ edited: "yes", [RESTORE_LABEL]: `${ns}-update` });
      const web = await api.read(deployment);
      expect((web.spec as { replicas: number }).replicas).toBe(1);
      expect(image(web)).toBe("registry.k8s.io/pause:3.10");
      expect(web.metadata.labels?.[RESTORE_LABEL]).toBe(`${ns}-update`);
    });

    it("labels equal objects as restored, and only labels an object whose change the server refuses", async () => {
      const same = await api.read(configMap("same"));
      expect(same.metadata.labels?.[RESTORE_LABEL]).toBe(`${ns}-update`);
      const frozen = await api.read(configMap("frozen"));
      expect(frozen.data).toEqual({ v: "2" });
      expect(frozen.metadata.labels?.[RESTORE_LABEL]).toBe(`${ns}-update`);
    });
  });
});
