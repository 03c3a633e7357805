/**
 * The Kubernetes name grammars kubesnap validates user input against, with the
 * API server's own limits, so a bad option fails before a restore starts instead
 * of as hundreds of rejected creates.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Namespace names are DNS-1123 labels: lower-case alphanumerics and '-', at most 63 characters. */
export function dns1123LabelProblem(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > 63) return `must be at most 63 characters (has ${value.length})`;
  if (!DNS1123_LABEL.test(value)) {
    return "must consist of lower-case letters, digits and '-', and start and end with a letter or digit";
  }
  return undefined;
}

/** A label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix.length === 0) return "has an empty prefix before '/'";
    if (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) {
      return `has prefix "${prefix}", which is not a DNS subdomain (lower-case letters, digits, '-' and '.')`;
    }
  }
  if (name.length === 0) return "has an empty name";
  if (name.length > 63) return `has a name longer than 63 characters`;
  if (!LABEL_NAME.test(name)) {
    return "must consist of letters, digits, '-', '_' and '.', and start and end with a letter or digit";
  }
  return undefined;
}

/** A label value: empty, or up to 63 letters, digits, '-', '_' and '.' starting and ending alphanumeric. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > 63) return `is longer than 63 characters`;
  if (!LABEL_NAME.test(value)) {
    return "must consist of letters, digits, '-', '_' and '.', and start and end with a letter or digit";
  }
  return undefined;
}
