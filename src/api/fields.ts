/**
 * Field schemas several kinds share, with the patterns the API server checks them against.
 * Patterns are Go RE2 on the server and JavaScript here (the unit tests run both ways over
 * the same samples), so they use only the syntax both agree on: no look-around, no \d.
 */
import { s, type Validation } from "./schema.js";

/** A DNS-1123 subdomain: what Kubernetes requires of object names. */
export const NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

const DURATION = "(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h|d))+)";
/** Go's time.ParseDuration syntax ("720h0m0s", "1h30m", "90s"), plus "d" for 24h as the CLI takes it. */
export const DURATION_PATTERN = `^${DURATION}$`;

const CRON_FIELD = "[0-9A-Za-z*?/,-]+";
/**
 * A standard five-field cron expression ("0 7 * * *", "*\/15 * * * MON-FRI") or one of the
 * descriptors robfig/cron and Velero accept (@daily, @every 6h…). The shape only: the server
 * checks ranges ("61 * * * *") and marks such a Schedule FailedValidation.
 */
export const CRON_PATTERN =
  `^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every ${DURATION}|` +
  `${CRON_FIELD}( +${CRON_FIELD}){4})$`;

const QUALIFIED =
  "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?";
const VALUE = "([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?";
const REQUIREMENT =
  `(!? *${QUALIFIED}|${QUALIFIED} *(=|==|!=) *${VALUE}|` +
  `${QUALIFIED} +(in|notin) *\\( *${VALUE}( *, *${VALUE})* *\\))`;
/**
 * kubectl's label selector syntax, whole: "app=nginx,tier in (web,api),!canary". Label keys
 * and values are checked for their characters; their lengths (63, 253) only by the server.
 */
export const LABEL_SELECTOR_PATTERN = `^ *${REQUIREMENT}( *, *${REQUIREMENT})* *$`;

/** Namespace globs: namespace characters plus * ? [ ] ! (the server checks that '[' is closed). */
export const NAMESPACE_GLOB_PATTERN = "^[a-z0-9*?\\[\\]!-]+$";

/** "deployments", "deployments.apps", "Deployment" or "*". */
export const RESOURCE_PATTERN = "^(\\*|[A-Za-z0-9][-A-Za-z0-9.]*)$";

/**
 * Names that end up in label values (kubesnap.io/backup-name, kubesnap.io/storage-location on
 * the objects a backup or restore touches) are limited to the 63 characters a label value holds.
 */
export const LABEL_VALUE_MAX = 63;

export function objectName(description: string, maxLength = 253) {
  return s.string({ description, pattern: NAME_PATTERN, maxLength });
}

export function duration(description: string, defaultValue?: string) {
  return s.string({
    description,
    pattern: DURATION_PATTERN,
    message: 'must be a duration such as "720h0m0s", "1h30m", "90s" or "7d"',
    maxLength: 64,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
}

export function labelSelector(description: string) {
  return s.string({
    description,
    pattern: LABEL_SELECTOR_PATTERN,
    message:
      "must be a label selector such as app=nginx, tier!=db, tier in (a,b), !canary, separated by commas",
    maxLength: 1024,
  });
}

export function namespaceGlobs(description: string, defaultValue: readonly string[]) {
  return s.array(s.string({ pattern: NAMESPACE_GLOB_PATTERN, maxLength: 253 }), {
    description,
    default: defaultValue,
    maxItems: 1024,
  });
}

export function resourceNames(description: string, defaultValue: readonly string[]) {
  return s.array(s.string({ pattern: RESOURCE_PATTERN, maxLength: 316 }), {
    description,
    default: defaultValue,
    maxItems: 1024,
  });
}

export const CLUSTER_RESOURCES_POLICIES = ["true", "false", "auto"] as const;

export function clusterResourcesPolicy() {
  return s.enum(CLUSTER_RESOURCES_POLICIES, {
    default: "auto",
    description:
      "Whether to include cluster-scoped objects: auto takes them for a whole-cluster run and, otherwise, " +
      "those the included items need (their Namespaces, PersistentVolumes, CRDs).",
  });
}

/** The selector fields of Backup and Restore specs, which exclude each other (as in Velero). */
export const SELECTORS_EXCLUSIVE: Validation = {
  fieldPath: ".orLabelSelectors",
  rule: "!(has(self.labelSelector) && has(self.orLabelSelectors))",
  message: "labelSelector and orLabelSelectors cannot both be set; put the selector among the alternatives",
};

/** How many items a run handled, of how many. */
export function count(description: string) {
  return s.integer({ description, minimum: 0, default: 0 });
}
