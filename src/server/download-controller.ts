import { randomBytes, timingSafeEqual } from "node:crypto";
import type { DownloadRequest } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { describeError, isKubesnapError, KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import type { Logger, ReconcileResult, Reconciler } from "./controller.js";
import { checkDownloadTarget, type DownloadFile, readDownloadTarget } from "./download-files.js";
import { TYPES } from "./kinds.js";
import type { ServerLocations } from "./locations.js";
import { patchStatus } from "./status.js";

/** How long a download URL works; the request is deleted after. Velero's is 10 minutes too. */
export const DOWNLOAD_TTL_MS = 10 * 60 * 1000;

export interface DownloadDeps {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly locations: ServerLocations;
  readonly log: Logger;
  /** Where clients reach this server's HTTP endpoint, e.g. "http://kubesnap.kubesnap.svc:8085". */
  readonly baseUrl: () => string;
  readonly now?: () => Date;
}

/**
 * Answers DownloadRequests with a URL of this server's /download endpoint that carries a
 * random token. The file is served by the server itself (not presigned by the store), so
 * it works for every provider, and an encrypted location's files leave decrypted only to
 * whoever holds the token. The token lives in the request's status: whoever may read
 * DownloadRequests may create one anyway.
 */
export class DownloadController implements Reconciler {
  readonly name = "download-request";
  readonly type = TYPES.downloadRequests;

  constructor(private readonly deps: DownloadDeps) {}

  async reconcile(_key: string, object: KubeObject | undefined): Promise<ReconcileResult> {
    const request = object as DownloadRequest | undefined;
    if (!request) return undefined;
    const now = this.now();
    const expiration = request.status?.expiration;
    if (expiration) {
      const left = Date.parse(expiration) - now.getTime();
      if (left > 0) return { requeueAfterMs: left };
      await this.deps.client
        .request({ method: "DELETE", path: this.path(request.metadata.name) })
        .catch((err: unknown) => {
          if (!isKubesnapError(err, "NotFound")) throw err;
        });
      return undefined;
    }
    const token = randomBytes(24).toString("base64url");
    const url = `${this.deps.baseUrl()}/download/${encodeURIComponent(request.metadata.name)}?token=${token}`;
    const expires = new Date(now.getTime() + DOWNLOAD_TTL_MS).toISOString();
    const errors = await this.checkTarget(request);
    await patchStatus(this.deps.client, this.type, request, {
      phase: "Processed",
      expiration: expires,
      ...(errors.length === 0 ? { downloadURL: url } : { errors }),
    });
    return { requeueAfterMs: DOWNLOAD_TTL_MS };
  }

  /**
   * The file is looked for now (not read: only a download reads it), so a missing one is
   * reported in status, not as an HTTP error later.
   */
  private async checkTarget(request: DownloadRequest): Promise<string[]> {
    try {
      await checkDownloadTarget(this.deps, request.spec.target);
      return [];
    } catch (err) {
      return [describeError(err)];
    }
  }

  private path(name: string): string {
    return resourcePath(this.type, { namespace: this.deps.namespace, name });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/**
 * Serves GET /download/NAME?token=…: checks the token against the request's status (any
 * replica can answer, nothing is held in memory) and returns the file.
 */
export async function serveDownload(deps: DownloadDeps, name: string, token: string): Promise<DownloadFile> {
  const request = await deps.client
    .get<DownloadRequest>(resourcePath(TYPES.downloadRequests, { namespace: deps.namespace, name }))
    .catch((err: unknown) => {
      if (isKubesnapError(err, "NotFound")) throw denied();
      throw err;
    });
  const expected = request.status?.downloadURL
    ? new URL(request.status.downloadURL).searchParams.get("token")
    : null;
  if (!expected || !sameToken(expected, token)) throw denied();
  const expiration = Date.parse(request.status?.expiration ?? "");
  if (!(expiration > (deps.now?.() ?? new Date()).getTime())) {
    throw new KubesnapError("Expired", `download "${name}" has expired`, {
      hint: "run the command again for a new one",
    });
  }
  return readDownloadTarget(deps, request.spec.target);
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** One answer for a wrong token and an unknown request, so neither can be probed. */
function denied(): KubesnapError {
  return new KubesnapError("AccessDenied", "no such download, or the token is wrong");
}
