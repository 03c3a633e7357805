import type { DownloadRequest, DownloadRequestSpec } from "../../api/index.js";
import type { KubeClient } from "../../cluster/client.js";
import { KubesnapError } from "../../core/errors.js";
import type { ServerApi } from "../server-api.js";

/** How long the CLI waits for the server to answer a DownloadRequest. */
const ANSWER_TIMEOUT_MS = 30_000;
const POLL_MS = 200;

/**
 * Reads a backup's or restore's log or results from the kubesnap server, without bucket
 * credentials: a DownloadRequest, the URL the server answers with, the file. The request
 * is deleted afterwards (the server would delete it when the URL expires anyway).
 */
export async function download(
  client: KubeClient,
  api: ServerApi,
  target: DownloadRequestSpec["target"],
): Promise<string> {
  const request = await api.create<DownloadRequest>("downloadRequests", {
    metadata: { generateName: `${target.name.slice(0, 40)}-` },
    spec: { target },
  });
  const name = request.metadata.name;
  try {
    const answered = await waitForAnswer(api, name);
    if (answered.status?.errors?.length) {
      throw new KubesnapError("NotFound", answered.status.errors.join("; "));
    }
    return await fetchUrl(client, answered.status?.downloadURL ?? "");
  } finally {
    await api.delete("downloadRequests", name).catch(() => undefined);
  }
}

async function waitForAnswer(api: ServerApi, name: string): Promise<DownloadRequest> {
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  for (;;) {
    const request = await api.get<DownloadRequest>("downloadRequests", name);
    if (request.status?.phase === "Processed") return request;
    if (Date.now() > deadline) {
      throw new KubesnapError(
        "Timeout",
        `the kubesnap server in namespace ${api.namespace} did not answer download request "${name}" within ${ANSWER_TIMEOUT_MS / 1000} s`,
        { hint: `check that it runs: \`kubectl -n ${api.namespace} get pods\`` },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A Service's in-cluster name: NAME.NAMESPACE.svc[.cluster.local]. */
const SERVICE_HOST = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?$/;

/**
 * A URL that names a Service is reached through the API server's service proxy (the CLI
 * usually runs outside the cluster, where Service names do not resolve); any other URL
 * directly.
 */
async function fetchUrl(client: KubeClient, url: string): Promise<string> {
  const parsed = new URL(url);
  const service = SERVICE_HOST.exec(parsed.hostname);
  if (service) {
    const [, svc, namespace] = service;
    const port = parsed.port || "80";
    return client.text(
      `/api/v1/namespaces/${namespace}/services/http:${svc}:${port}/proxy${parsed.pathname}${parsed.search}`,
    );
  }
  const res = await fetch(parsed).catch((err: unknown) => {
    throw new KubesnapError("Unavailable", `cannot reach the kubesnap server at ${parsed.origin}`, {
      hint: "the server's --download-url must be reachable from where the CLI runs",
      cause: err,
    });
  });
  const body = await res.text();
  if (!res.ok) {
    throw new KubesnapError(
      res.status === 404 ? "NotFound" : "Unavailable",
      `the kubesnap server refused the download (HTTP ${res.status}): ${body.trim()}`,
    );
  }
  return body;
}
