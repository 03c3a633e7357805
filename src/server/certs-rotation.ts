/**
 * When the webhook's certificates change, decided from their dates alone (pure; the clock is
 * an argument). The API server trusts the CAs in the webhook configuration's caBundle, which
 * only the leader writes and only every so often; so a new CA is first only trusted (added to
 * the bundle as "next") and signs nothing until a later check promotes it, by which time every
 * API server has it. The CA it replaces stays in the bundle until it expires, for replicas
 * still serving a certificate it signed.
 *
 *   CA life:   0 ──────────── 2/3: make "next" ──── 5/6: promote it ──── 1: expires
 *   serving:   re-issued at 2/3 of its life, or at once when not signed by the active CA or
 *              not naming every address the API server may use.
 */

/** A CA certificate, by its fingerprint. */
export interface CaInfo {
  readonly id: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface ServingInfo {
  /** The id of the CA that signed it, if that CA is still known. */
  readonly issuer: string | undefined;
  readonly notBefore: number;
  readonly notAfter: number;
  /** It names every address the API server may use to reach the webhook. */
  readonly coversNames: boolean;
}

export interface CertState {
  readonly active?: CaInfo;
  readonly next?: CaInfo;
  /** The caBundle: every CA the API server is told to trust. */
  readonly trusted: readonly CaInfo[];
  readonly serving?: ServingInfo;
}

export interface RotationPlan {
  /** keep the active CA; make it the next one; or make a new one (none usable). */
  readonly ca: "keep" | "promote-next" | "new";
  /** After the CA step: keep the next CA, make one, or have none. */
  readonly next: "keep" | "new" | "none";
  readonly issueServing: boolean;
  /** Ids of the CAs in the bundle that stay in it (unexpired); new CAs are added to them. */
  readonly keepTrusted: readonly string[];
  /** Why anything changes, for the log; empty when nothing does. */
  readonly reasons: readonly string[];
}

const MAKE_NEXT_AT = 2 / 3;
const PROMOTE_AT = 5 / 6;
const RENEW_SERVING_AT = 2 / 3;

const lived = (cert: { notBefore: number; notAfter: number }, now: number) =>
  (now - cert.notBefore) / (cert.notAfter - cert.notBefore);
const valid = (cert: { notBefore: number; notAfter: number } | undefined, now: number) =>
  cert !== undefined && now < cert.notAfter;

export function planRotation(state: CertState, options: { now: number }): RotationPlan {
  const { now } = options;
  const reasons: string[] = [];
  const { active, next } = state;
  let ca: RotationPlan["ca"] = "keep";
  if (!valid(active, now)) {
    ca = valid(next, now) ? "promote-next" : "new";
    reasons.push(active ? "the CA expired" : "no CA yet");
  } else if (active && lived(active, now) >= PROMOTE_AT && valid(next, now)) {
    ca = "promote-next";
    reasons.push("the CA is near its end: the next CA, trusted since earlier, takes over");
  }

  let nextStep: RotationPlan["next"] = "none";
  if (ca === "keep" && active) {
    if (valid(next, now)) nextStep = "keep";
    else if (lived(active, now) >= MAKE_NEXT_AT) {
      nextStep = "new";
      reasons.push("the CA is two thirds through its life: a next CA is made and trusted");
    }
  }

  const serving = state.serving;
  let issueServing = false;
  if (!serving) {
    issueServing = true;
    reasons.push("no serving certificate yet");
  } else if (ca !== "keep" || serving.issuer !== active?.id) {
    issueServing = true;
    if (ca === "keep") reasons.push("the serving certificate is not signed by the active CA");
  } else if (lived(serving, now) >= RENEW_SERVING_AT) {
    issueServing = true;
    reasons.push("the serving certificate is two thirds through its life");
  } else if (!serving.coversNames) {
    issueServing = true;
    reasons.push("the webhook's addresses changed");
  }

  const keepTrusted = state.trusted.filter((c) => valid(c, now)).map((c) => c.id);
  if (keepTrusted.length !== state.trusted.length) reasons.push("an expired CA leaves the bundle");
  return { ca, next: nextStep, issueServing, keepTrusted, reasons };
}
