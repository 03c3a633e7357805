import { mkdir, readFile, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { stringify } from "yaml";
import { type Binaries, binary } from "./build.js";
import type { ClusterInfo } from "./env-info.js";
import { probe, type TlsFiles } from "./http.js";
import { type ClusterPki, makeClusterPki } from "./pki.js";
import { type Service, sleep, startService } from "./process.js";

const SERVICE_CIDR = "10.0.0.0/24";

/**
 * One Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC, service-account
 * signing keys, an admin client certificate, a token user "restricted") and
 * kube-controller-manager with every default controller. There are no nodes: Pods stay
 * Pending, which is all a backup tool needs of them.
 */
export async function startCluster(opts: {
  readonly dir: string;
  readonly logDir: string;
  readonly index: number;
  readonly kube: Binaries;
  readonly etcd: Binaries;
  readonly services: Service[];
}): Promise<ClusterInfo> {
  const { dir, logDir, index, services } = opts;
  const name = `cluster-${index}`;
  const clusterDir = join(dir, name);
  await mkdir(join(clusterDir, "pki"), { recursive: true });
  const pki = await makeClusterPki(join(clusterDir, "pki"));
  const admin: TlsFiles = { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };

  const etcd = await startService(
    {
      name: `${name}-etcd`,
      ports: 2,
      command: binary(opts.etcd, "etcd"),
      args: ([client, peer]) => [
        "--name",
        "default",
        "--data-dir",
        join(clusterDir, "etcd"),
        "--listen-client-urls",
        `http://127.0.0.1:${client}`,
        "--advertise-client-urls",
        `http://127.0.0.1:${client}`,
        "--listen-peer-urls",
        `http://127.0.0.1:${peer}`,
        "--initial-advertise-peer-urls",
        `http://127.0.0.1:${peer}`,
        "--initial-cluster",
        `default=http://127.0.0.1:${peer}`,
        // Test data is thrown away: skipping fsync makes every API write much faster.
        "--unsafe-no-fsync",
        "--log-level",
        "warn",
      ],
      ready: async ([client]) => (await probe(`http://127.0.0.1:${client}/health`)) === 200,
      describe: ([client]) => `http://127.0.0.1:${client}`,
    },
    { logDir },
  );
  services.push(etcd.service);

  const apiserver = await startService(
    {
      name: `${name}-kube-apiserver`,
      ports: 1,
      command: binary(opts.kube, "kube-apiserver"),
      args: ([port]) => [
        "--etcd-servers",
        etcd.info,
        "--bind-address",
        "127.0.0.1",
        "--advertise-address",
        "127.0.0.1",
        "--secure-port",
        String(port),
        "--tls-cert-file",
        pki.servingCert,
        "--tls-private-key-file",
        pki.servingKey,
        "--client-ca-file",
        pki.caCert,
        "--authorization-mode",
        "Node,RBAC",
        "--token-auth-file",
        pki.tokenFile,
        "--service-account-issuer",
        "https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file",
        pki.serviceAccountPub,
        "--service-account-signing-key-file",
        pki.serviceAccountKey,
        "--service-cluster-ip-range",
        SERVICE_CIDR,
        "--allow-privileged",
        // The kubernetes Service's Endpoints would point at 127.0.0.1, which the API rejects.
        "--endpoint-reconciler-type",
        "none",
        "--cert-dir",
        join(clusterDir, "apiserver-certs"),
      ],
      ready: async ([port]) => (await probe(`https://127.0.0.1:${port}/readyz`, admin)) === 200,
      describe: ([port]) => `https://127.0.0.1:${port}`,
    },
    { logDir },
  );
  services.push(apiserver.service);
  const server = apiserver.info;

  const kubeconfig = join(dir, index === 1 ? "kubeconfig" : `kubeconfig-${index}`);
  await writeKubeconfig(kubeconfig, server, pki, {
    cert: pki.adminCert,
    key: pki.adminKey,
    user: "admin",
    name,
  });
  const cmKubeconfig = join(clusterDir, "controller-manager.kubeconfig");
  await writeKubeconfig(cmKubeconfig, server, pki, {
    cert: pki.controllerManagerCert,
    key: pki.controllerManagerKey,
    user: "controller-manager",
    name,
  });

  const cm = await startService(
    {
      name: `${name}-kube-controller-manager`,
      ports: 1,
      command: binary(opts.kube, "kube-controller-manager"),
      args: ([port]) => [
        "--kubeconfig",
        cmKubeconfig,
        "--authentication-kubeconfig",
        cmKubeconfig,
        "--authorization-kubeconfig",
        cmKubeconfig,
        "--bind-address",
        "127.0.0.1",
        "--secure-port",
        String(port),
        "--cert-dir",
        join(clusterDir, "controller-manager-certs"),
        // Each controller acts as its own service account, as kubeadm clusters do, so RBAC is real.
        "--use-service-account-credentials",
        "--service-account-private-key-file",
        pki.serviceAccountKey,
        "--root-ca-file",
        pki.caCert,
        "--cluster-signing-cert-file",
        pki.caCert,
        "--cluster-signing-key-file",
        pki.caKey,
        "--service-cluster-ip-range",
        SERVICE_CIDR,
        "--leader-elect=false",
        "--controllers",
        "*",
      ],
      ready: async ([port = 0]) => {
        const status = await probe(`https://127.0.0.1:${port}/healthz`, admin).catch(() => 0);
        // The controller-manager serves healthz with a self-signed certificate: any TLS answer will do.
        return status === 200 || (await tcpAnswers(port));
      },
      describe: () => undefined,
    },
    { logDir },
  );
  services.push(cm.service);

  await waitForDefaultServiceAccount(server, admin, name);
  return { kubeconfig, server, restrictedToken: pki.restrictedToken, caFile: pki.caCert };
}

/** `up` returns only once the service-account controller has made `default/default`: workloads need it. */
async function waitForDefaultServiceAccount(server: string, admin: TlsFiles, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const status = await probe(`${server}/api/v1/namespaces/default/serviceaccounts/default`, admin).catch(
      () => 0,
    );
    if (status === 200) return;
    await sleep(200);
  }
  throw new Error(
    `testenv: ${name}: the default ServiceAccount did not appear within 60 s (see ${name}-kube-controller-manager.log)`,
  );
}

async function tcpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function writeKubeconfig(
  path: string,
  server: string,
  pki: ClusterPki,
  user: { cert: string; key: string; user: string; name: string },
): Promise<void> {
  const b64 = async (file: string) => (await readFile(file)).toString("base64");
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: user.name, cluster: { server, "certificate-authority-data": await b64(pki.caCert) } }],
    users: [
      {
        name: user.user,
        user: { "client-certificate-data": await b64(user.cert), "client-key-data": await b64(user.key) },
      },
    ],
    contexts: [{ name: user.name, context: { cluster: user.name, user: user.user } }],
    "current-context": user.name,
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
}
