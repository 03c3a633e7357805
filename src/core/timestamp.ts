/**
 * Names of things kubesnap creates: the timestamp suffix Velero users know from scheduled
 * backups (`nightly-20261126070000`) and default restore names, and the DNS-1123 rule every
 * Kubernetes object name must follow.
 */
import { KubesnapError } from "./errors.js";

/**
 * "yyyyMMddHHmmss" for `date` in `timeZone` (an IANA name). UTC by default, unlike Velero's
 * restore names (which use the CLI machine's local time), so the same instant gets the same
 * name whichever machine or controller makes it.
 */
export function timestampSuffix(date: Date, timeZone = "UTC"): string {
  if (Number.isNaN(date.getTime())) {
    throw new KubesnapError("InvalidInput", "Cannot build a timestamp suffix from an invalid date");
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      // h23, not hour12: false, which some ICU versions render as "24" at midnight.
      hourCycle: "h23",
    });
  } catch (cause) {
    throw new KubesnapError("InvalidInput", `Unknown time zone "${timeZone}"`, {
      hint: 'use an IANA time zone name such as "UTC" or "Europe/Berlin"',
      cause,
    });
  }
  const parts = format.formatToParts(date);
  const fields = ["year", "month", "day", "hour", "minute", "second"] as const;
  return fields
    .map((type) => (parts.find((p) => p.type === type)?.value ?? "").padStart(type === "year" ? 4 : 2, "0"))
    .join("");
}

const MAX_NAME_LENGTH = 253;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks that `name` is a DNS-1123 subdomain, the rule Kubernetes applies to object names
 * (Backups, Restores, Schedules are custom resources, so theirs too): at most 253 characters,
 * lowercase letters, digits, '-' and '.', starting and ending with a letter or digit.
 * `what` says what the name is for ("backup", "schedule"). Returns the name for chaining.
 */
export function validateName(name: string, what: string): string {
  if (DNS1123_SUBDOMAIN.test(name) && name.length <= MAX_NAME_LENGTH) return name;
  const problem = nameProblem(name);
  const example = suggestName(name) ?? "nightly-1";
  throw new KubesnapError("InvalidInput", `Invalid ${what} name "${name}": ${problem}`, {
    hint: `use lowercase letters, digits, '-' and '.', e.g. "${example}"`,
  });
}

/** The first thing wrong with a name, in the order a person would fix them. */
function nameProblem(name: string): string {
  if (name === "") return "it is empty";
  if (name.length > MAX_NAME_LENGTH) return `it is ${name.length} characters long; at most 253 are allowed`;
  if (/[A-Z]/.test(name)) return "it must be lowercase";
  const bad = /[^a-z0-9.-]/.exec(name);
  if (bad) return `"${bad[0]}" is not allowed (only lowercase letters, digits, '-' and '.')`;
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name))
    return "it must start and end with a letter or digit";
  return "each part between dots must start and end with a letter or digit";
}

/** A nearby valid name to offer in the hint, when one is obvious. */
function suggestName(name: string): string | undefined {
  const candidate = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/-*\.-*/g, ".")
    .replace(/\.{2,}/g, ".")
    .replace(/^[.-]+|[.-]+$/g, "")
    .slice(0, MAX_NAME_LENGTH)
    .replace(/[.-]+$/, "");
  return DNS1123_SUBDOMAIN.test(candidate) ? candidate : undefined;
}
