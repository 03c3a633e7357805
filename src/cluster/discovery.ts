import { describeError } from "../core/errors.js";
import type { ResourceType } from "../core/kube-types.js";
import type { KubeClient } from "./client.js";

interface ApiResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
}
interface ApiGroup {
  name: string;
  preferredVersion?: { version: string };
  versions: { version: string }[];
}

export interface Discovery {
  /** Every listable resource, each at its group's preferred version. */
  readonly types: readonly ResourceType[];
  /** Groups that did not answer (an aggregated API whose backend is down, say). */
  readonly warnings: readonly string[];
}

/**
 * Every group the server serves, each at its preferred version. Subresources (pods/log) and
 * resources that cannot be listed are left out: a backup can take neither.
 */
export async function discover(client: KubeClient): Promise<Discovery> {
  const { groups } = await client.get<{ groups: ApiGroup[] }>("/apis");
  const groupVersions: { group: string; version: string; path: string }[] = [
    { group: "", version: "v1", path: "/api/v1" },
    ...groups.map((g) => {
      const version = g.preferredVersion?.version ?? g.versions[0]?.version ?? "v1";
      return { group: g.name, version, path: `/apis/${g.name}/${version}` };
    }),
  ];
  const warnings: string[] = [];
  const lists = await Promise.all(
    groupVersions.map(async (gv) => {
      try {
        const list = await client.get<{ resources: ApiResource[] }>(gv.path);
        return list.resources
          .filter((r) => !r.name.includes("/") && (r.verbs ?? []).includes("list"))
          .map(
            (r): ResourceType => ({
              group: gv.group,
              version: gv.version,
              resource: r.name,
              kind: r.kind,
              namespaced: r.namespaced,
            }),
          );
      } catch (err) {
        warnings.push(
          `API group ${gv.group || "core"}/${gv.version} did not answer discovery: ${describeError(err)}`,
        );
        return [];
      }
    }),
  );
  return { types: lists.flat(), warnings };
}
