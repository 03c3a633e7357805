/**
 * Protecting and unprotecting objects: merge patches of their labels and the TTL annotation (see marks.ts), with
 * the user's own rights, so kubesnap's server needs no right to label anything. Every name is
 * checked before the first one is labelled.
 */
import type { KubeClient } from "../cluster/client.js";
import { resourcePath, withQuery } from "../cluster/paths.js";
import { parseDuration } from "../core/duration.js";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import {
  BYPASS_ANNOTATION,
  PRE_DELETE_TTL_ANNOTATION,
  PROTECTED_LABEL,
  type ProtectedKind,
  protectionLabels,
  systemNamespaces,
  UNPROTECT_PATCH,
} from "./marks.js";

export const PROTECTABLE: Readonly<Record<ProtectedKind, ResourceType>> = {
  Namespace: { group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false },
  CustomResourceDefinition: {
    group: "apiextensions.k8s.io",
    version: "v1",
    resource: "customresourcedefinitions",
    kind: "CustomResourceDefinition",
    namespaced: false,
  },
};

/** Objects named one by one, or (namespaces) all that a label selector matches now. */
export type Selection = { readonly names: readonly string[] } | { readonly selector: string };

export interface ProtectResult {
  readonly changed: readonly string[];
  /** System namespaces a selector matched, left alone without --allow-system-namespace. */
  readonly skipped: readonly string[];
}

export async function protect(
  client: KubeClient,
  kind: ProtectedKind,
  selection: Selection,
  options: {
    readonly serverNamespace: string;
    readonly allowSystemNamespace: boolean;
    /** How long pre-delete backups are kept; left as it is when not given. */
    readonly ttl?: string;
  },
): Promise<ProtectResult> {
  if (options.ttl !== undefined) parseDuration(options.ttl, { what: "--ttl" });
  const annotations = options.ttl !== undefined ? { [PRE_DELETE_TTL_ANNOTATION]: options.ttl } : {};
  const names = await resolve(client, kind, selection);
  const skipped: string[] = [];
  const patches: [string, Record<string, string>][] = [];
  for (const name of names) {
    const bySelector = "selector" in selection;
    const system = kind === "Namespace" && systemNamespaces(options.serverNamespace).includes(name);
    // A selector matching kube-system is no request to protect it; a name typed out gets the error.
    if (bySelector && system && !options.allowSystemNamespace) skipped.push(name);
    else patches.push([name, protectionLabels(kind, name, options)]);
  }
  for (const [name, labels] of patches) await patchMarks(client, kind, name, { labels, annotations });
  return { changed: patches.map(([name]) => name), skipped };
}

export async function unprotect(
  client: KubeClient,
  kind: ProtectedKind,
  selection: Selection,
): Promise<string[]> {
  const names = await resolve(client, kind, selection);
  for (const name of names) await patchMarks(client, kind, name, UNPROTECT_PATCH);
  return names;
}

export interface ProtectedObject {
  readonly kind: ProtectedKind;
  readonly name: string;
  /** It carries the bypass annotation: deleting it takes no backup. */
  readonly bypass: boolean;
  /** How long its pre-delete backup is kept, when protect was given --ttl. */
  readonly ttl?: string;
}

export async function listProtected(client: KubeClient): Promise<ProtectedObject[]> {
  const out: ProtectedObject[] = [];
  for (const kind of Object.keys(PROTECTABLE) as ProtectedKind[]) {
    for (const object of await list(client, kind, `${PROTECTED_LABEL}=true`)) {
      const annotations = object.metadata.annotations ?? {};
      const ttl = annotations[PRE_DELETE_TTL_ANNOTATION];
      out.push({
        kind,
        name: object.metadata.name,
        bypass: annotations[BYPASS_ANNOTATION] === "true",
        ...(ttl !== undefined ? { ttl } : {}),
      });
    }
  }
  return out;
}

/** The names a selection stands for; each named object must exist. */
async function resolve(client: KubeClient, kind: ProtectedKind, selection: Selection): Promise<string[]> {
  if ("selector" in selection)
    return (await list(client, kind, selection.selector)).map((o) => o.metadata.name);
  for (const name of selection.names) {
    try {
      await client.get(resourcePath(PROTECTABLE[kind], { name }));
    } catch (err) {
      if (!isKubesnapError(err, "NotFound")) throw err;
      throw new KubesnapError("NotFound", `${kind} "${name}" not found`, {
        hint: `check the name with kubectl get ${PROTECTABLE[kind].resource}; nothing was changed`,
        cause: err,
      });
    }
  }
  return [...selection.names];
}

async function list(client: KubeClient, kind: ProtectedKind, labelSelector: string): Promise<KubeObject[]> {
  const path = withQuery(resourcePath(PROTECTABLE[kind]), { labelSelector });
  return (await client.get<{ items: KubeObject[] }>(path)).items;
}

type Marks = Readonly<Record<string, string | null>>;

async function patchMarks(
  client: KubeClient,
  kind: ProtectedKind,
  name: string,
  marks: { readonly labels: Marks; readonly annotations: Marks },
): Promise<void> {
  await client.request({
    method: "PATCH",
    path: resourcePath(PROTECTABLE[kind], { name }),
    body: JSON.stringify({ metadata: marks }),
    contentType: "application/merge-patch+json",
  });
}
