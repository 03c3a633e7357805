import type { KubeClient } from "../cluster/client.js";
import { connect } from "../cluster/connect.js";
import { resourcePath } from "../cluster/paths.js";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { TYPES } from "../server/kinds.js";
import type { CommandContext } from "./context.js";

type Kind = keyof typeof TYPES;

/** The CLI noun that lists a kind, for hints. */
const CLI_NOUNS: Partial<Record<Kind, string>> = {
  schedules: "schedule",
  triggers: "trigger",
  restores: "restore",
  locations: "backup-location",
};

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
          hint: `list them with \`kubesnap ${CLI_NOUNS[kind] ?? "backup"} get\``,
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

/** Runs fn against the kubesnap server's API (schedules, triggers: kinds only the server runs). */
export async function withServer<T>(
  ctx: CommandContext,
  fn: (api: ServerApi, client: KubeClient) => Promise<T>,
): Promise<T> {
  const client = await connect(ctx.connect);
  try {
    return await fn(new ServerApi(client, ctx.serverNamespace), client);
  } finally {
    client.close();
  }
}
