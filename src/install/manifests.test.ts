import { describe, expect, it } from "vitest";
import type { KubeObject } from "../core/kube-types.js";
import { BACKUP_RULES, type InstallOptions, installManifests, RESTORE_RULES, serverRules } from "./index.js";

const CREDENTIALS = "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s3cr3t\n";

function options(overrides: Partial<InstallOptions> = {}): InstallOptions {
  return {
    namespace: "kubesnap",
    provider: "s3",
    bucket: "backups",
    config: { region: "eu-west-1" },
    credentials: { from: "file", content: CREDENTIALS },
    image: "kubesnap/kubesnap:1.2.3",
    version: "1.2.3",
    ...overrides,
  };
}

const find = (objects: KubeObject[], kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Container = {
  image: string;
  args: string[];
  env: { name: string; value?: string }[];
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  ports: { containerPort: number }[];
  securityContext: Record<string, unknown>;
  resources: { requests: object; limits: object };
  volumeMounts: { name: string; mountPath: string }[];
};
function container(objects: KubeObject[]): Container {
  const deployment = find(objects, "Deployment") as unknown as {
    spec: { template: { spec: { containers: Container[]; serviceAccountName: string } } };
  };
  return deployment.spec.template.spec.containers[0]!;
}

describe("installManifests", () => {
  it("lists the namespace and CRDs first, the server last", () => {
    const kinds = installManifests(options()).map((o) => o.kind);
    expect(kinds).toEqual([
      "Namespace",
      ...Array(9).fill("CustomResourceDefinition"),
      "ServiceAccount",
      "ClusterRole",
      "ClusterRoleBinding",
      "ClusterRole",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
      "Secret",
      "BackupStorageLocation",
      "Service",
      "Deployment",
    ]);
  });

  it("puts everything namespaced in the install's namespace and names cluster objects after it", () => {
    const objects = installManifests(options({ namespace: "backup-system" }));
    const clusterScoped = new Set([
      "Namespace",
      "CustomResourceDefinition",
      "ClusterRole",
      "ClusterRoleBinding",
    ]);
    for (const o of objects) {
      if (clusterScoped.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe("backup-system");
    }
    expect(find(objects, "ClusterRole", "kubesnap-backup-system-backup")).toBeDefined();
    expect(find(objects, "ClusterRoleBinding", "kubesnap-backup-system-restore")).toMatchObject({
      subjects: [{ kind: "ServiceAccount", name: "kubesnap", namespace: "backup-system" }],
    });
    expect(find(objects, "Namespace")?.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe(
      "restricted",
    );
  });

  it("grants read on everything, create and patch on everything, and nothing that deletes (but CSI snapshot objects), updates or escalates cluster-wide", () => {
    const objects = installManifests(options());
    const clusterRules = objects
      .filter((o) => o.kind === "ClusterRole")
      .flatMap((o) => (o as unknown as { rules: Rule[] }).rules);
    expect(clusterRules).toEqual([
      { apiGroups: ["*"], resources: ["*"], verbs: ["get", "list"] },
      { apiGroups: ["*"], resources: ["*"], verbs: ["watch"] },
      { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["create", "delete"] },
      { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshotclasses"], verbs: ["create"] },
      {
        apiGroups: ["snapshot.storage.k8s.io"],
        resources: ["volumesnapshotcontents"],
        verbs: ["patch", "delete"],
      },
      {
        apiGroups: ["admissionregistration.k8s.io"],
        resources: ["validatingwebhookconfigurations"],
        verbs: ["create"],
      },
      {
        apiGroups: ["admissionregistration.k8s.io"],
        resources: ["validatingwebhookconfigurations"],
        resourceNames: ["kubesnap-kubesnap-pre-delete"],
        verbs: ["patch"],
      },
      { apiGroups: ["*"], resources: ["*"], verbs: ["create", "patch"] },
    ]);
    // The one exception: the snapshot objects a backup makes, which its deletion removes.
    const verbs = new Set(
      clusterRules.filter((r) => !r.apiGroups.includes("snapshot.storage.k8s.io")).flatMap((r) => r.verbs),
    );
    for (const verb of ["delete", "deletecollection", "update", "escalate", "bind", "impersonate", "*"]) {
      expect(verbs.has(verb), verb).toBe(false);
    }
  });

  it("keeps the server's own writes in its namespace, each rule with its reason", () => {
    const role = find(installManifests(options()), "Role") as unknown as {
      rules: Rule[];
      metadata: { annotations: Record<string, string> };
    };
    expect(role.rules).toContainEqual({
      apiGroups: ["coordination.k8s.io"],
      resources: ["leases"],
      resourceNames: ["kubesnap-server"],
      verbs: ["get", "update", "patch"],
    });
    expect(role.rules).toContainEqual({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] });
    expect(role.rules).toContainEqual({
      apiGroups: [""],
      resources: ["secrets"],
      resourceNames: ["kubesnap-webhook-tls"],
      verbs: ["update"],
    });
    expect(role.rules).toContainEqual({
      apiGroups: ["kubesnap.io"],
      resources: expect.arrayContaining(["backups/status", "restores/status", "schedules/status"]),
      verbs: ["get", "update", "patch"],
    });
    expect(role.rules.flatMap((r) => r.apiGroups)).not.toContain("*");
    for (const rule of [...BACKUP_RULES, ...RESTORE_RULES, ...serverRules()])
      expect(rule.why.length).toBeGreaterThan(40);
    expect(role.metadata.annotations["kubesnap.io/why"]?.split("\n")).toHaveLength(serverRules().length);
  });

  it("makes the credential Secret from the file, names it in the default location, and nowhere else", () => {
    const objects = installManifests(options());
    const secret = find(objects, "Secret") as unknown as { data: Record<string, string> };
    expect(Buffer.from(secret.data.cloud ?? "", "base64").toString("utf8")).toBe(CREDENTIALS);
    expect(find(objects, "BackupStorageLocation")).toMatchObject({
      metadata: { name: "default" },
      spec: {
        provider: "s3",
        objectStorage: { bucket: "backups" },
        config: { region: "eu-west-1" },
        credential: { name: "kubesnap-credentials", key: "cloud" },
        accessMode: "ReadWrite",
        default: true,
      },
    });
    const elsewhere = JSON.stringify(objects.filter((o) => o.kind !== "Secret"));
    expect(elsewhere).not.toContain("s3cr3t");
    expect(elsewhere).not.toContain(Buffer.from(CREDENTIALS).toString("base64"));
    expect(JSON.stringify(find(objects, "Deployment"))).not.toContain("kubesnap-credentials");
  });

  it("with an encryption key, adds its Secret and names it in the location; the key appears nowhere else", () => {
    const key = Buffer.from("k".repeat(32));
    const objects = installManifests(options({ encryptionKey: key }));
    const secrets = objects.filter((o) => o.kind === "Secret") as unknown as {
      metadata: { name: string };
      data: Record<string, string>;
    }[];
    const sealed = secrets.find((s) => s.metadata.name === "kubesnap-encryption-key");
    expect(Buffer.from(sealed?.data.key ?? "", "base64")).toEqual(key);
    expect(find(objects, "BackupStorageLocation")?.spec).toMatchObject({
      encryptionKey: { name: "kubesnap-encryption-key", key: "key" },
    });
    const elsewhere = JSON.stringify(objects.filter((o) => o.kind !== "Secret"));
    expect(elsewhere).not.toContain(key.toString("base64"));
  });

  it("installs gcs and azure locations with their own config keys", () => {
    const gcs = installManifests(
      options({
        provider: "gcs",
        bucket: "backups",
        config: { projectId: "prod", endpoint: "http://127.0.0.1:4443" },
      }),
    );
    expect(find(gcs, "BackupStorageLocation")?.spec).toMatchObject({ provider: "gcs" });
    const azure = installManifests(
      options({ provider: "azure", bucket: "backups", config: { storageAccount: "prodbackups" } }),
    );
    expect(find(azure, "BackupStorageLocation")?.spec).toMatchObject({ provider: "azure" });
    expect(() => installManifests(options({ provider: "gcs", config: { region: "eu" } }))).toThrow(/region/);
  });

  it("leaves the Secret out with --no-secret but still names it; without credentials, names none", () => {
    const external = installManifests(options({ credentials: { from: "existing-secret" } }));
    expect(find(external, "Secret")).toBeUndefined();
    expect(find(external, "BackupStorageLocation")).toMatchObject({
      spec: { credential: { name: "kubesnap-credentials" } },
    });
    const chain = installManifests(options({ credentials: { from: "default-chain" } }));
    expect(find(chain, "Secret")).toBeUndefined();
    expect(find(chain, "BackupStorageLocation")?.spec).not.toHaveProperty("credential");
  });

  it("runs the server image as a restricted, read-only, probed Deployment", () => {
    const objects = installManifests(options({ image: "registry.example/kubesnap:dev", namespace: "ks" }));
    const c = container(objects);
    expect(c.image).toBe("registry.example/kubesnap:dev");
    expect(c.args).toEqual([
      "server",
      "--namespace",
      "ks",
      "--download-url",
      "http://kubesnap.ks.svc:8085",
      "--restore-helper-image",
      "registry.example/kubesnap:dev",
      "--webhook-listen",
      ":9443",
      "--webhook-service",
      "kubesnap:443",
    ]);
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.ports).toEqual([
      { name: "http", containerPort: 8085, protocol: "TCP" },
      { name: "webhook", containerPort: 9443, protocol: "TCP" },
    ]);
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.resources.requests).toBeDefined();
    expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(find(objects, "Deployment")?.metadata.labels?.["app.kubernetes.io/version"]).toBe("1.2.3");
    expect(find(objects, "Service")).toMatchObject({
      spec: { ports: [{ port: 8085 }, { port: 443, targetPort: "webhook" }] },
    });
  });

  it("mounts the claim of a file location at its directory", () => {
    const objects = installManifests(
      options({
        provider: "file",
        bucket: "/var/kubesnap",
        config: {},
        credentials: { from: "default-chain" },
        fileClaim: "backups",
      }),
    );
    expect(container(objects).volumeMounts).toContainEqual({ name: "backups", mountPath: "/var/kubesnap" });
  });

  it("with the node agent, adds a DaemonSet reading the kubelet's pod directories on every node, as root with few capabilities", () => {
    const objects = installManifests(options({ nodeAgent: { kubeletRoot: "/var/lib/k0s/kubelet" } }));
    const daemonSet = find(objects, "DaemonSet") as unknown as {
      metadata: { namespace: string };
      spec: { template: { spec: Record<string, unknown> & { containers: Container[]; volumes: object[] } } };
    };
    expect(daemonSet.metadata.namespace).toBe("kubesnap");
    const pod = daemonSet.spec.template.spec;
    expect(pod.serviceAccountName).toBe("kubesnap-node-agent");
    expect(pod.tolerations).toEqual([{ operator: "Exists" }]);
    expect(pod.volumes).toContainEqual({
      name: "kubelet-pods",
      hostPath: { path: "/var/lib/k0s/kubelet/pods", type: "Directory" },
    });
    const agent = pod.containers[0]!;
    expect(agent.image).toBe("kubesnap/kubesnap:1.2.3");
    expect(agent.args).toEqual([
      "node-agent",
      "--namespace",
      "kubesnap",
      "--kubelet-root",
      "/host/kubelet",
      "--node-name",
      "$(NODE_NAME)",
    ]);
    expect(agent.env.map((e) => e.name)).toEqual(["NODE_NAME", "HOME", "UV_THREADPOOL_SIZE"]);
    expect(agent.volumeMounts).toContainEqual({
      name: "kubelet-pods",
      mountPath: "/host/kubelet/pods",
      mountPropagation: "HostToContainer",
    });
    expect(agent.securityContext).toMatchObject({ runAsUser: 0, allowPrivilegeEscalation: false });
    expect(agent.securityContext).not.toHaveProperty("privileged");
    // Only the agent needs more than the restricted level; anything else still gets a warning.
    expect(find(objects, "Namespace")?.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "privileged",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    expect(find(installManifests(options()), "DaemonSet")).toBeUndefined();
  });

  it("gives the node agent its own narrow rights, each with its reason, and the server the right to hand it work", () => {
    const objects = installManifests(options({ nodeAgent: { kubeletRoot: "/var/lib/kubelet" } }));
    const clusterRole = find(objects, "ClusterRole", "kubesnap-kubesnap-node-agent") as unknown as {
      rules: Rule[];
    };
    expect(clusterRole.rules).toEqual([
      { apiGroups: [""], resources: ["pods", "persistentvolumeclaims"], verbs: ["get"] },
    ]);
    const role = find(objects, "Role", "kubesnap-node-agent") as unknown as {
      rules: Rule[];
      metadata: { annotations: Record<string, string> };
    };
    expect(role.rules.flatMap((r) => r.verbs)).not.toContain("delete");
    expect(role.rules.flatMap((r) => r.verbs)).not.toContain("create");
    expect(role.metadata.annotations["kubesnap.io/why"]).toMatch(/^rule 1: /);
    const binding = find(objects, "ClusterRoleBinding", "kubesnap-kubesnap-node-agent") as unknown as {
      subjects: object[];
    };
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: "kubesnap-node-agent", namespace: "kubesnap" },
    ]);
    expect(serverRules().map((r) => r.rule)).toContainEqual({
      apiGroups: ["kubesnap.io"],
      resources: ["podvolumebackups", "podvolumerestores"],
      verbs: ["create"],
    });
    expect(container(objects).args).toContain("--restore-helper-image");
  });

  it("refuses bad options before producing anything", () => {
    expect(() => installManifests(options({ namespace: "Kube_Snap" }))).toThrow(
      /Invalid namespace "Kube_Snap"/,
    );
    expect(() => installManifests(options({ namespace: "kube-system" }))).toThrow(/shared namespace/);
    expect(() => installManifests(options({ bucket: "Bad_Bucket" }))).toThrow(/not a valid bucket name/);
    expect(() => installManifests(options({ provider: "oracle" }))).toThrow(
      /Unknown storage provider "oracle"/,
    );
    expect(() => installManifests(options({ config: { secretAccessKey: "x", accessKeyId: "y" } }))).toThrow(
      /--config must not hold accessKeyId/,
    );
    expect(() => installManifests(options({ config: { colour: "blue" } }))).toThrow(/colour/);
    expect(() =>
      installManifests(
        options({ provider: "file", bucket: "/data", config: {}, credentials: { from: "default-chain" } }),
      ),
    ).toThrow(/--file-claim/);
    expect(() => installManifests(options({ image: "" }))).toThrow(/--image/);
  });
});
