/**
 * One admission review, from request to answer: the decision (pure, in src/protect), the
 * backup when one is needed, and the log line and metrics for each outcome.
 */
import { describeError } from "../core/errors.js";
import { type AdmissionRequest, decideAdmission, describeTarget } from "../protect/admission.js";
import { failedVerdict, verdict } from "../protect/pre-delete.js";
import type { Logger } from "./controller.js";
import type { ServerMetrics } from "./metrics.js";
import { type PreDeleteDeps, takePreDeleteBackup } from "./webhook-backup.js";

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
  /** kubectl prints these as "Warning: …". */
  readonly warnings?: readonly string[];
}

/**
 * Time kept back from the webhook's timeout to send the answer (a quarter of a short timeout):
 * a denial that says why is worth more than the API server's own "context deadline exceeded".
 */
const ANSWER_MARGIN_MS = 1500;

export interface ReviewDeps extends PreDeleteDeps {
  readonly log: Logger;
  readonly metrics: ServerMetrics;
  /** The webhook's timeoutSeconds, in ms. */
  readonly timeoutMs: number;
}

export async function reviewDeletion(
  request: AdmissionRequest,
  deps: ReviewDeps,
): Promise<AdmissionResponse> {
  const received = deps.now().getTime();
  const decision = decideAdmission(request, { serverNamespace: deps.namespace });
  const user = request.userInfo?.username ?? "";
  const allow = (warning?: string): AdmissionResponse => ({
    uid: request.uid,
    allowed: true,
    ...(warning ? { warnings: [warning] } : {}),
  });
  if (decision.action === "allow") {
    deps.log.info("pre-delete: allowed at once", {
      kind: request.kind.kind,
      name: request.name,
      reason: decision.reason,
    });
    return allow(decision.warning);
  }
  const what = describeTarget(decision.target);
  if (decision.action === "bypass") {
    deps.metrics.preDeleteBypass.inc();
    deps.log.info("pre-delete: deleted WITHOUT a backup (bypass annotation)", { object: what, user });
    return allow(`kubesnap: ${what} is deleted without a backup, as its bypass annotation asks`);
  }
  deps.log.info("pre-delete: backing up before the delete", { object: what, user });
  let answer: ReturnType<typeof verdict>;
  try {
    const wait = await takePreDeleteBackup(decision.target, {
      ...deps,
      deadline: received + deps.timeoutMs - Math.min(ANSWER_MARGIN_MS, deps.timeoutMs / 4),
    });
    answer = verdict(decision.target, wait, deps.namespace);
  } catch (err) {
    answer = failedVerdict(decision.target, describeError(err), deps.namespace);
  }
  const seconds = (deps.now().getTime() - received) / 1000;
  deps.metrics.preDeleteTotal.inc({ outcome: answer.outcome });
  deps.metrics.preDeleteDuration.observe(seconds);
  deps.log.info(`pre-delete: ${answer.allowed ? "allowed" : "denied"}`, {
    object: what,
    outcome: answer.outcome,
    seconds,
    ...(answer.allowed ? {} : { message: answer.message }),
  });
  if (answer.allowed) return allow(answer.message);
  return {
    uid: request.uid,
    allowed: false,
    status: { code: 403, reason: "Forbidden", message: answer.message },
  };
}
