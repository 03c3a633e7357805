/** The few shapes of Kubernetes objects kubesnap handles generically. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [field: string]: unknown;
}

/** An object as the API server serves it; fields beyond metadata are kind-specific. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** A served resource at one version, as discovery describes it. */
export interface ResourceType {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Plural name, e.g. "deployments". */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** "deployments.apps", or "pods" for the core group: the name users type. */
export function groupResource(type: Pick<ResourceType, "group" | "resource">): string {
  return type.group === "" ? type.resource : `${type.resource}.${type.group}`;
}

/** Identifies one item in a backup or a restore, for results and messages. */
export interface ItemRef {
  /** groupResource(), e.g. "deployments.apps". */
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
}

export function formatItemRef(ref: ItemRef): string {
  return ref.namespace ? `${ref.resource} ${ref.namespace}/${ref.name}` : `${ref.resource} ${ref.name}`;
}
