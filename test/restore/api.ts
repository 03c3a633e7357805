import { request } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import type { ClusterInfo } from "../../testenv/env-info.js";
import { eventually } from "../kube.js";

/** An object as the API server serves it, as plain JSON (no typed models, no Date objects). */
export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** What names one object: enough to build its path. */
export interface Ref {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 400)}`);
  }
}

interface Resource {
  readonly name: string;
  readonly namespaced: boolean;
}

/**
 * A small raw-JSON client for test set-up and checks, independent of kubesnap's own
 * client: objects come back exactly as the API server sends them, so they compare as JSON.
 * Resource names are found through discovery (and looked up again when a CRD appears).
 */
export class Api {
  private readonly options: Promise<{
    hostname: string;
    port: number;
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
  }>;
  private readonly discovered = new Map<string, Map<string, Resource>>();

  constructor(readonly cluster: ClusterInfo) {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const url = new URL(cluster.server);
    this.options = (async () => {
      const opts: Record<string, unknown> = {};
      await kc.applyToHTTPSOptions(opts);
      return { ...opts, hostname: url.hostname, port: Number(url.port) };
    })();
  }

  async send<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    const options = await this.options;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          ...options,
          method,
          path,
          headers: {
            accept: "application/json",
            ...(payload !== undefined
              ? { "content-type": contentType, "content-length": Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300)
              resolve(text === "" ? (undefined as T) : (JSON.parse(text) as T));
            else reject(new ApiError(status, text, `${method} ${path}`));
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** The resource (plural, scope) of a kind, by discovery of its group version. */
  private async resource(apiVersion: string, kind: string): Promise<Resource> {
    for (const fresh of [false, true]) {
      if (fresh || !this.discovered.has(apiVersion)) {
        const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        const list = await this.send<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(
          "GET",
          path,
        ).catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return { resources: [] };
          throw err;
        });
        const byKind = new Map<string, Resource>();
        for (const r of list.resources) if (!r.name.includes("/")) byKind.set(r.kind, r);
        this.discovered.set(apiVersion, byKind);
      }
      const found = this.discovered.get(apiVersion)?.get(kind);
      if (found) return found;
    }
    throw new Error(`the cluster serves no ${kind} in ${apiVersion}`);
  }

  async path(ref: Ref, query = ""): Promise<string> {
    const resource = await this.resource(ref.apiVersion, ref.kind);
    const base = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const ns = resource.namespaced && ref.namespace ? `/namespaces/${ref.namespace}` : "";
    const name = ref.name ? `/${ref.name}` : "";
    return `${base}${ns}/${resource.name}${name}${query}`;
  }

  async create<T extends Obj>(object: T): Promise<T> {
    const ref = { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace };
    return this.send<T>("POST", await this.path(ref), object);
  }

  async read(ref: Ref): Promise<Obj> {
    return this.send<Obj>("GET", await this.path(ref));
  }

  /** The object, or undefined when it does not exist. */
  async find(ref: Ref): Promise<Obj | undefined> {
    try {
      return await this.read(ref);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(ref: Omit<Ref, "name">, labelSelector?: string): Promise<Obj[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
    const list = await this.send<{ items: Obj[] }>("GET", await this.path(ref, query));
    // Items of a list carry no apiVersion and kind; put them back so items compare like reads.
    return list.items.map((item) => ({ ...item, apiVersion: ref.apiVersion, kind: ref.kind }));
  }

  async mergePatch(ref: Ref, patch: unknown): Promise<Obj> {
    return this.send<Obj>("PATCH", await this.path(ref), patch, "application/merge-patch+json");
  }

  async remove(ref: Ref): Promise<void> {
    try {
      await this.send("DELETE", await this.path(ref), { propagationPolicy: "Background" });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }

  /** Deletes an object and waits until the API server no longer has it. */
  async removeAndWait(ref: Ref, timeoutMs = 90_000): Promise<void> {
    await this.remove(ref);
    await eventually(
      `${ref.kind} ${ref.name} to be gone`,
      async () => ((await this.find(ref)) === undefined ? true : undefined),
      timeoutMs,
    );
  }
}

export function refOf(object: Obj): Ref {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
  };
}

/** Waits until a CRD's types are served (creating custom resources fails before). */
export async function waitEstablished(api: Api, crdName: string): Promise<void> {
  await eventually(`CRD ${crdName} to be Established`, async () => {
    const crd = await api.read({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      name: crdName,
    });
    const conditions = (crd.status as { conditions?: { type: string; status: string }[] } | undefined)
      ?.conditions;
    return conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
  });
}

/** Reads objects again, as the API server has them now. */
export async function readAll(api: Api, refs: readonly Ref[]): Promise<Obj[]> {
  return Promise.all(refs.map((ref) => api.read(ref)));
}
