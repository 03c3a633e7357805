import type { Trigger, TriggerSpec } from "../api/index.js";
import type { ResourceType } from "../core/kube-types.js";

/** A trigger spec with the API server's defaults filled in, and overrides. */
export function triggerSpec(overrides: Partial<TriggerSpec> = {}): TriggerSpec {
  return {
    on: ["deployments.apps"],
    namespaces: ["*"],
    events: ["create", "update", "delete"],
    specChangesOnly: false,
    debounce: "10s",
    minInterval: "0s",
    paused: false,
    backupNamespaces: "Changed",
    template: {
      includedNamespaces: ["*"],
      excludedNamespaces: [],
      includedResources: ["*"],
      excludedResources: [],
      includeClusterResources: "auto",
      ttl: "720h0m0s",
    },
    ...overrides,
  };
}

export function trigger(name: string, overrides: Partial<TriggerSpec> = {}): Trigger {
  return {
    apiVersion: "kubesnap.io/v1",
    kind: "Trigger",
    metadata: { name, namespace: "kubesnap", labels: { team: "shop" } },
    spec: triggerSpec(overrides),
  };
}

const type = (group: string, resource: string, kind: string, namespaced = true): ResourceType => ({
  group,
  version: "v1",
  resource,
  kind,
  namespaced,
});

/** A few of what a real cluster serves, including two resources called "events". */
export const SERVED: readonly ResourceType[] = [
  type("", "configmaps", "ConfigMap"),
  type("", "events", "Event"),
  type("", "namespaces", "Namespace", false),
  type("apps", "deployments", "Deployment"),
  type("events.k8s.io", "events", "Event"),
  type("kubesnap.io", "backups", "Backup"),
  type("example.com", "widgets", "Widget"),
  type("other.example.com", "widgets", "Widget"),
];
