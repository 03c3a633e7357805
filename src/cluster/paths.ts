import type { ResourceType } from "../core/kube-types.js";

/** The REST path of a resource type, optionally within a namespace and for one object. */
export function resourcePath(
  type: ResourceType,
  where: { namespace?: string | undefined; name?: string } = {},
): string {
  const base = type.group === "" ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const ns = type.namespaced && where.namespace ? `/namespaces/${encodeURIComponent(where.namespace)}` : "";
  const name = where.name ? `/${encodeURIComponent(where.name)}` : "";
  return `${base}${ns}/${type.resource}${name}`;
}

export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
