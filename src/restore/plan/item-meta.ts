import { KubesnapError } from "../../core/errors.js";
import {
  formatItemRef,
  groupResource,
  type ItemRef,
  type KubeObject,
  type OwnerReference,
  type ResourceType,
} from "../../core/kube-types.js";
import { getArray, getRecord, getString, isRecord } from "./json.js";
import { GR } from "./resources.js";

/**
 * What the planner knows about one backed-up item: identity, labels, owners, and the
 * few kind-specific facts its skip rules need. Restore reads a backup twice; the first
 * pass turns each object into an ItemMeta with `toItemMeta` and keeps only this, so the
 * plan for a large cluster fits in memory while the objects themselves stream.
 */
export interface ItemMeta {
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
  readonly facts?: ItemFacts;
}

/** Kind-specific facts; only the built-in kinds below have any. */
export type ItemFacts = PodFacts | JobFacts | SecretFacts | PersistentVolumeClaimFacts | ServiceFacts;

export interface PodFacts {
  readonly kind: "pod";
  readonly phase?: string;
  /** A kubelet's mirror of a static pod (annotation kubernetes.io/config.mirror). */
  readonly mirror: boolean;
}

export interface JobFacts {
  readonly kind: "job";
  /** Complete when status.completionTime is set (or the Complete condition holds); Failed when the Failed condition holds. */
  readonly finished?: "Complete" | "Failed";
}

export interface SecretFacts {
  readonly kind: "secret";
  readonly secretType?: string;
  /** The annotation kubernetes.io/service-account.name of service-account-token Secrets. */
  readonly serviceAccountName?: string;
}

export interface PersistentVolumeClaimFacts {
  readonly kind: "persistentvolumeclaim";
  /** spec.volumeName: the PV this claim is bound (or pre-bound) to. */
  readonly volumeName?: string;
}

export interface ServiceFacts {
  readonly kind: "service";
  /** A Service with a selector has its Endpoints written by the endpoints controller. */
  readonly hasSelector: boolean;
}

export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";
export const SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name";

/** Builds the planner's view of a backed-up object. Throws Corrupt when it has no name (or no namespace but should). */
export function toItemMeta(type: ResourceType, object: KubeObject): ItemMeta {
  const metadata: unknown = object.metadata;
  const name = getString(metadata, "name");
  if (name === undefined || name === "") {
    throw new KubesnapError("Corrupt", `Backed-up ${groupResource(type)} item has no metadata.name`, {
      hint: "the backup is damaged; run `kubesnap backup describe` to check it",
    });
  }
  const meta: {
    -readonly [K in keyof ItemMeta]: ItemMeta[K];
  } = { type, name };
  const namespace = getString(metadata, "namespace");
  if (type.namespaced) {
    if (namespace === undefined || namespace === "") {
      throw new KubesnapError(
        "Corrupt",
        `Backed-up ${groupResource(type)} item "${name}" has no metadata.namespace`,
        {
          hint: "the backup is damaged; run `kubesnap backup describe` to check it",
        },
      );
    }
    meta.namespace = namespace;
  }
  const uid = getString(metadata, "uid");
  if (uid !== undefined && uid !== "") meta.uid = uid;
  const labels = object.metadata.labels;
  if (labels !== undefined && Object.keys(labels).length > 0) meta.labels = { ...labels };
  const owners = object.metadata.ownerReferences;
  if (owners !== undefined && owners.length > 0) meta.ownerReferences = owners.map((owner) => ({ ...owner }));
  const facts = factsFor(type, object);
  if (facts !== undefined) meta.facts = facts;
  return meta;
}

export function itemRef(item: Pick<ItemMeta, "type" | "namespace" | "name">): ItemRef {
  return item.namespace === undefined
    ? { resource: groupResource(item.type), name: item.name }
    : { resource: groupResource(item.type), namespace: item.namespace, name: item.name };
}

/** "pods shop/web-0": for messages. */
export function describeItem(item: Pick<ItemMeta, "type" | "namespace" | "name">): string {
  return formatItemRef(itemRef(item));
}

function factsFor(type: ResourceType, object: KubeObject): ItemFacts | undefined {
  const annotations = object.metadata.annotations ?? {};
  switch (groupResource(type)) {
    case GR.pods: {
      const phase = getString(object, "status", "phase");
      return phase === undefined
        ? { kind: "pod", mirror: Object.hasOwn(annotations, MIRROR_POD_ANNOTATION) }
        : { kind: "pod", phase, mirror: Object.hasOwn(annotations, MIRROR_POD_ANNOTATION) };
    }
    case GR.jobs: {
      const finished = jobFinished(object);
      return finished === undefined ? { kind: "job" } : { kind: "job", finished };
    }
    case GR.secrets: {
      const facts: { -readonly [K in keyof SecretFacts]: SecretFacts[K] } = { kind: "secret" };
      const secretType = getString(object, "type");
      if (secretType !== undefined) facts.secretType = secretType;
      const saName = annotations[SERVICE_ACCOUNT_NAME_ANNOTATION];
      if (saName !== undefined) facts.serviceAccountName = saName;
      return facts;
    }
    case GR.persistentVolumeClaims: {
      const volumeName = getString(object, "spec", "volumeName");
      return volumeName === undefined || volumeName === ""
        ? { kind: "persistentvolumeclaim" }
        : { kind: "persistentvolumeclaim", volumeName };
    }
    case GR.services: {
      const selector = getRecord(object, "spec", "selector");
      return { kind: "service", hasSelector: selector !== undefined && Object.keys(selector).length > 0 };
    }
    default:
      return undefined;
  }
}

/**
 * Velero treats a Job as complete when status.completionTime is set, which the Job
 * controller does only on success. A Job that failed (backoffLimit or deadline
 * reached) has no completionTime but is just as finished: restored without status,
 * the controller would start its pods all over again. So both terminal conditions count.
 */
function jobFinished(object: KubeObject): "Complete" | "Failed" | undefined {
  const completionTime = getString(object, "status", "completionTime");
  const conditions = getArray(object, "status", "conditions") ?? [];
  const holds = (type: string) =>
    conditions.some(
      (condition) => isRecord(condition) && condition.type === type && condition.status === "True",
    );
  if ((completionTime !== undefined && completionTime !== "") || holds("Complete")) return "Complete";
  if (holds("Failed")) return "Failed";
  return undefined;
}
