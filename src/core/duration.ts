/**
 * Durations as Velero users type and read them. Flags such as `--ttl 720h0m0s` follow Go's
 * time.ParseDuration, tables print ages the way kubectl and `velero backup get` do. All values
 * are milliseconds; every function is pure (the caller passes "now").
 */
import { KubesnapError } from "./errors.js";

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign, which Go prints
  μs: 1e-3, // U+03BC Greek mu, which Go also accepts
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  // Not in Go: a convenience so "7d" works. Always exactly 24h; there are no calendar days here.
  d: 86_400_000,
};

/** Go's Duration is an int64 of nanoseconds; beyond it Go reports overflow, and so do we. */
const MAX_MS = 9_223_372_036_854.775;

const EXAMPLES = 'e.g. "720h0m0s", "1h30m", "90s" or "7d" (units: ns, us, ms, s, m, h, d)';

/**
 * Parses Go duration syntax ("720h0m0s", "1h30m", "1.5h", "500ms", "0") into milliseconds.
 * Also accepts "d" for 24 hours, which Go does not. Negative durations are rejected: every
 * duration kubesnap takes (TTLs, timeouts, periods) is a length of time.
 * `what` names the flag or field in the error, e.g. "--ttl".
 */
export function parseDuration(value: string, options: { what?: string } = {}): number {
  // A declaration (not an arrow) so TypeScript narrows after calls that never return.
  function fail(problem: string): never {
    const where = options.what === undefined ? "" : ` for ${options.what}`;
    throw new KubesnapError("InvalidInput", `Invalid duration "${value}"${where}: ${problem}`, {
      hint: `write a duration such as ${EXAMPLES}`,
    });
  }

  const text = value.trim();
  if (text === "") fail("it is empty");
  if (text.startsWith("-")) fail("it is negative");
  const body = text.startsWith("+") ? text.slice(1) : text;
  if (body === "0") return 0;
  if (body === "") fail("a number is missing");

  let total = 0;
  let rest = body;
  while (rest !== "") {
    const match = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = match?.[1] ?? "";
    const fraction = match?.[2] ?? "";
    if (whole === "" && fraction === "") fail(`expected a number at "${rest}"`);
    rest = rest.slice(match?.[0].length ?? 0);

    // Like Go, a unit is everything up to the next digit or dot.
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? "";
    if (unit === "") fail(`the number ${whole}${fraction === "" ? "" : `.${fraction}`} has no unit`);
    const perUnit = MS_PER_UNIT[unit];
    if (perUnit === undefined) fail(`unknown unit "${unit}"`);
    rest = rest.slice(unit.length);

    total += Number(`${whole || "0"}.${fraction || "0"}`) * perUnit;
  }
  if (!(total <= MAX_MS)) fail("it is longer than the 292 years a duration can hold");
  // Round to whole nanoseconds so float noise ("0.3s" → 300.00000000000006) never shows.
  return Math.round(total * 1e6) / 1e6;
}

/**
 * Prints a duration the way Go's Duration.String() does, which is how Velero shows TTLs:
 * 2592000000 → "720h0m0s", 90000 → "1m30s", 1500 → "1.5s", 250 → "250ms", 0 → "0s".
 */
export function formatGoDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const abs = Math.abs(ms);
  // Exact integer nanoseconds: float ms × 1e6 loses precision past ~18 years.
  const whole = Math.trunc(abs);
  const ns = BigInt(whole) * 1_000_000n + BigInt(Math.round((abs - whole) * 1e6));

  if (ns === 0n) return "0s";
  if (ns < 1_000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${withFraction(ns, 3)}µs`;
  if (ns < 1_000_000_000n) return `${sign}${withFraction(ns, 6)}ms`;

  const seconds = withFraction(ns % 60_000_000_000n, 9);
  const totalMinutes = ns / 60_000_000_000n;
  if (totalMinutes === 0n) return `${sign}${seconds}s`;
  const hours = totalMinutes / 60n;
  const minutes = totalMinutes % 60n;
  return hours === 0n ? `${sign}${minutes}m${seconds}s` : `${sign}${hours}h${minutes}m${seconds}s`;
}

/** `value / 10^digits` in decimal, without trailing zeros (Go's fmtFrac + fmtInt). */
function withFraction(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const fraction = (value % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  return fraction === "" ? `${value / scale}` : `${value / scale}.${fraction}`;
}

/**
 * kubectl's AGE column (apimachinery's HumanDuration): precise while small, coarser as it grows:
 * "45s", "3m20s", "25m", "5h3m", "20h", "3d4h", "29d", "2y45d". Up to a second in the future
 * counts as "0s", because clocks drift; further in the future is "<invalid>".
 */
export function formatAge(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return joinUnits(minutes, "m", seconds % 60, "s");
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return joinUnits(hours, "h", minutes % 60, "m");
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return joinUnits(days, "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8) return joinUnits(Math.trunc(days / 365), "y", days % 365, "d");
  return `${Math.trunc(days / 365)}y`;
}

function joinUnits(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

/** apimachinery's ShortHumanDuration: one unit only, "59s", "59m", "23h", "364d", "2y". */
function formatShortAge(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/**
 * The EXPIRES column of `backup get`, as Velero prints it: time left in one unit ("29d", "23h"),
 * "<age> ago" once the expiry has passed (a backup awaiting garbage collection, "3h ago"), and
 * "n/a" when the backup never expires. The same wording suits LAST BACKUP-style columns.
 */
export function formatExpires(expiry: Date | undefined, now: Date): string {
  if (expiry === undefined || Number.isNaN(expiry.getTime())) return "n/a";
  const left = expiry.getTime() - now.getTime();
  return left >= 0 ? formatShortAge(left) : `${formatShortAge(-left)} ago`;
}
