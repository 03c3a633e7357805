/**
 * A kubeconfig context's credentials as TLS options and request headers: a CA, a client
 * certificate, a bearer token (inline, from a file, or from an exec credential plugin such
 * as `aws eks get-token` or `gke-gcloud-auth-plugin`), or basic auth.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { KubesnapError } from "../core/errors.js";
import type { Endpoint } from "./http.js";
import type { ExecConfig, ResolvedContext } from "./kubeconfig.js";

const run = promisify(execFile);
/** An exec plugin that has not answered in this long is not going to. */
const EXEC_TIMEOUT_MS = 60_000;

export async function endpointFor(context: ResolvedContext): Promise<Omit<Endpoint, "description">> {
  const { cluster, user } = context;
  const tls: Endpoint["tls"] = {};
  const ca = await dataOrFile(
    cluster["certificate-authority-data"],
    cluster["certificate-authority"],
    "certificate authority",
  );
  if (ca) tls.ca = ca;
  if (cluster["insecure-skip-tls-verify"] === true) tls.rejectUnauthorized = false;
  if (cluster["tls-server-name"]) tls.servername = cluster["tls-server-name"];
  const headers: Record<string, string> = {};
  const cert = await dataOrFile(
    user["client-certificate-data"],
    user["client-certificate"],
    "client certificate",
  );
  const key = await dataOrFile(user["client-key-data"], user["client-key"], "client key");
  if (cert && key) {
    tls.cert = cert;
    tls.key = key;
  }
  if (user["auth-provider"]) {
    throw new KubesnapError(
      "InvalidInput",
      `context "${context.name}" uses the auth-provider "${user["auth-provider"].name}", which Kubernetes removed`,
      { hint: "switch the user to an exec credential plugin (e.g. gke-gcloud-auth-plugin, kubelogin)" },
    );
  }
  const token =
    user.token ?? (user.tokenFile ? (await readText(user.tokenFile, "token file")).trim() : undefined);
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (user.username !== undefined && user.password !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`;
  if (user.exec) {
    const issued = await runExec(user.exec, context.name);
    if (issued.token) headers.Authorization = `Bearer ${issued.token}`;
    if (issued.cert && issued.key) {
      tls.cert = issued.cert;
      tls.key = issued.key;
    }
  }
  return { server: cluster.server, tls, headers };
}

async function dataOrFile(
  data: string | undefined,
  file: string | undefined,
  what: string,
): Promise<Buffer | undefined> {
  if (data) return Buffer.from(data, "base64");
  if (file) return Buffer.from(await readText(file, what));
  return undefined;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new KubesnapError("InvalidInput", `cannot read the kubeconfig's ${what} ${file}`, {
      hint: "fix the path in the kubeconfig",
      cause: err,
    });
  }
}

interface IssuedCredential {
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Runs a client.authentication.k8s.io exec plugin and reads the ExecCredential it prints. */
async function runExec(exec: ExecConfig, contextName: string): Promise<IssuedCredential> {
  const apiVersion = exec.apiVersion ?? "client.authentication.k8s.io/v1";
  const env = {
    ...process.env,
    ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])),
    KUBERNETES_EXEC_INFO: JSON.stringify({
      apiVersion,
      kind: "ExecCredential",
      spec: { interactive: false },
    }),
  };
  let stdout: string;
  try {
    ({ stdout } = await run(exec.command, [...(exec.args ?? [])], { env, timeout: EXEC_TIMEOUT_MS }));
  } catch (err) {
    throw new KubesnapError(
      "AccessDenied",
      `the credential plugin "${exec.command}" of context "${contextName}" failed`,
      { hint: "run it by hand to see why (it may need a login)", cause: err },
    );
  }
  let status: { token?: string; clientCertificateData?: string; clientKeyData?: string } | undefined;
  try {
    status = (JSON.parse(stdout) as { status?: typeof status }).status;
  } catch {
    // Reported below without echoing the output, which may hold a credential.
  }
  if (!status?.token && !(status?.clientCertificateData && status.clientKeyData)) {
    throw new KubesnapError(
      "AccessDenied",
      `the credential plugin "${exec.command}" of context "${contextName}" printed no ExecCredential with a token or certificate`,
      { hint: "check the plugin's version and apiVersion in the kubeconfig" },
    );
  }
  return {
    ...(status.token ? { token: status.token } : {}),
    ...(status.clientCertificateData && status.clientKeyData
      ? { cert: status.clientCertificateData, key: status.clientKeyData }
      : {}),
  };
}
