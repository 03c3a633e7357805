/**
 * Every test-infrastructure binary, pinned in one place. Each Go tool is built from
 * its own small module under testenv/go/<module> (their dependency graphs clash when
 * merged), into ~/.cache/kubesnap/testenv/<name>-<version>/, so a fresh clone on the
 * same machine reuses the build. Changing a version here is the whole upgrade.
 */
export interface GoTool {
  /** Cache key prefix and what the logs call it. */
  readonly name: string;
  readonly version: string;
  /** Folder under testenv/go holding the tool's go.mod. */
  readonly module: string;
  /** Package paths to build, one binary each (named after the last path element). */
  readonly packages: readonly string[];
  /** Extra -ldflags, e.g. the version a binary reports (module builds carry no git data). */
  readonly ldflags?: readonly string[];
}

export const GO_TOOLS = {
  kube: {
    name: "kube",
    version: "v1.37.2",
    module: "kube",
    packages: ["k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io/kubernetes/cmd/kube-controller-manager"],
    // Without these, /version answers "v0.0.0-master", and backups record the cluster's version.
    ldflags: [
      "-X k8s.io/component-base/version.gitVersion=v1.37.2",
      "-X k8s.io/component-base/version.gitMajor=1",
      "-X k8s.io/component-base/version.gitMinor=37",
      "-X k8s.io/component-base/version.gitTreeState=clean",
    ],
  },
  etcd: { name: "etcd", version: "v3.6.16", module: "etcd", packages: ["."] },
  minio: {
    name: "minio",
    version: "v0.0.0-20260212201848-7aac2a2c5b7c",
    module: "minio",
    packages: ["github.com/minio/minio"],
  },
  fakegcs: {
    name: "fake-gcs-server",
    version: "v1.56.1",
    module: "fakegcs",
    packages: ["github.com/fsouza/fake-gcs-server"],
  },
  // The CSI stack of `testenv up --csi` (processes, no kubelet): the snapshot controller and
  // the csi-snapshotter sidecar, the csi-provisioner sidecar, and our hostpath driver.
  snapshotter: {
    name: "external-snapshotter",
    version: "v8.7.0",
    module: "snapshotter",
    packages: [
      "github.com/kubernetes-csi/external-snapshotter/v8/cmd/snapshot-controller",
      "github.com/kubernetes-csi/external-snapshotter/v8/cmd/csi-snapshotter",
    ],
  },
  provisioner: {
    name: "external-provisioner",
    version: "v6.4.0",
    module: "provisioner",
    packages: ["github.com/kubernetes-csi/external-provisioner/v6/cmd/csi-provisioner"],
  },
  // Our own driver (testenv/go/csi-hostpath/main.go): upstream csi-driver-host-path is not
  // served by the module proxy. The version is the cache key, so bump it with every change
  // to main.go or a machine keeps running the old build.
  hostpath: { name: "csi-hostpath", version: "kubesnap-1", module: "csi-hostpath", packages: ["."] },
} as const satisfies Record<string, GoTool>;

export type GoToolId = keyof typeof GO_TOOLS;

/** The binary name a package path builds to; "." builds the module's own main (named after the module folder). */
export function binaryName(tool: GoTool, pkg: string): string {
  return pkg === "." ? tool.module : (pkg.split("/").at(-1) ?? pkg);
}

/** The oldest Go that builds every tool above (k8s.io/kubernetes v1.37 says `go 1.26.0`). */
export const MIN_GO = { major: 1, minor: 26 } as const;
