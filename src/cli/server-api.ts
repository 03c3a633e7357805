import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { TYPES } from "../server/kinds.js";

type Kind = keyof typeof TYPES;

/**
 * The CLI's view of a kubesnap server: kubesnap.io objects in the server's namespace. A
 * cluster without kubesnap's API gets one message saying how to install it.
 */
export class ServerApi {
  constructor(
    private readonly client: KubeClient,
    readonly namespace: string,
  ) {}

  private path(kind: Kind, name?: string): string {
    return resourcePath(TYPES[kind], { namespace: this.namespace, ...(name ? { name } : {}) });
  }

  private async call<T>(kind: Kind, fn: () => Promise<T>, name?: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!isKubesnapError(err, "NotFound")) throw err;
      // Is it the object that is missing, or kubesnap's API altogether?
      const served = await this.client.get(`/apis/kubesnap.io/v1`).then(
        () => true,
        () => false,
      );
      if (!served) {
        throw new KubesnapError(
          "NotFound",
          "The kubesnap server is not installed in this cluster (no kubesnap.io API)",
          {
            hint: "install it with `kubesnap install --provider s3 --bucket BUCKET …`",
          },
        );
      }
      throw new KubesnapError(
        "NotFound",
        `${TYPES[kind].kind} "${name ?? ""}" not found in namespace ${this.namespace}`,
        {
          hint: `list them with \`kubesnap ${kind === "schedules" ? "schedule" : "backup"} get\``,
        },
      );
    }
  }

  list<T extends KubeObject>(kind: Kind): Promise<T[]> {
    return this.call(kind, async () => (await this.client.get<{ items: T[] }>(this.path(kind))).items);
  }

  get<T extends KubeObject>(kind: Kind, name: string): Promise<T> {
    return this.call(kind, () => this.client.get<T>(this.path(kind, name)), name);
  }

  create<T extends KubeObject>(
    kind: Kind,
    object: Omit<KubeObject, "apiVersion" | "kind"> & Record<string, unknown>,
  ): Promise<T> {
    return this.call(kind, () =>
      this.client.request<T>({
        method: "POST",
        path: this.path(kind),
        body: JSON.stringify({ apiVersion: "kubesnap.io/v1", kind: TYPES[kind].kind, ...object }),
      }),
    );
  }

  patch(kind: Kind, name: string, patch: Record<string, unknown>): Promise<KubeObject> {
    return this.call(
      kind,
      () =>
        this.client.request<KubeObject>({
          method: "PATCH",
          path: this.path(kind, name),
          body: JSON.stringify(patch),
          contentType: "application/merge-patch+json",
        }),
      name,
    );
  }

  delete(kind: Kind, name: string): Promise<unknown> {
    return this.call(
      kind,
      () => this.client.request({ method: "DELETE", path: this.path(kind, name) }),
      name,
    );
  }
}
