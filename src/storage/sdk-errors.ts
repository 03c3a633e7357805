/**
 * What the object-store drivers (s3, gcs, azure) share when they turn an SDK's error into a
 * KubesnapError: the few fields they look at, read defensively; which failures may pass when
 * tried again; and the messages that read the same whatever the store. Where each SDK keeps
 * the status and code of an error, and the names and codes it uses, stay with its driver.
 */
import { KubesnapError } from "../core/errors.js";
import { isNetworkErrorCode } from "./network.js";

export interface ErrorFacts {
  readonly name: string;
  /** The HTTP status of the store's answer, when there was one. */
  readonly status: number | undefined;
  /** Node's network error code (ECONNREFUSED…), or the SDK's own error code. */
  readonly code: string | undefined;
  readonly message: string;
}

/** Where one SDK keeps the status and the code on its errors (an object, but of any shape). */
export type FactsLocator = (err: object) => { status: unknown; code: unknown };

/** The facts of anything thrown: a field of the wrong type is treated as absent. */
export function readErrorFacts(err: unknown, locate: FactsLocator): ErrorFacts {
  if (typeof err !== "object" || err === null) {
    return { name: "Error", status: undefined, code: undefined, message: String(err) };
  }
  const { name, message } = err as { name?: unknown; message?: unknown };
  const { status, code } = locate(err);
  return {
    name: typeof name === "string" ? name : "Error",
    status: typeof status === "number" ? status : undefined,
    code: typeof code === "string" ? code : undefined,
    message: typeof message === "string" ? message : String(err),
  };
}

/** How one SDK says "busy, try later", besides the network failing, 429 and 5xx. */
export interface TransientSignals {
  readonly names?: readonly string[];
  readonly codes?: readonly string[];
  readonly statuses?: readonly number[];
}

/** Whether the failure may pass when tried again later (the SDK has already retried it). */
export function isTransient(facts: ErrorFacts, signals: TransientSignals): boolean {
  const { name, status, code } = facts;
  if (code !== undefined && (isNetworkErrorCode(code) || signals.codes?.includes(code))) return true;
  if (signals.names?.includes(name)) return true;
  if (status === undefined) return false;
  return status === 429 || status >= 500 || (signals.statuses?.includes(status) ?? false);
}

/** A transient failure the SDK's retries did not get past. */
export function unavailable(
  where: string,
  facts: ErrorFacts,
  cause: unknown,
  hint = "check the endpoint and the network; the request was already retried",
): KubesnapError {
  return new KubesnapError(
    "Unavailable",
    `${where}: the object store is unreachable or busy (${facts.message})`,
    {
      hint,
      cause,
    },
  );
}

export function objectNotFound(where: string, cause?: unknown): KubesnapError {
  return new KubesnapError("NotFound", `${where}: object not found`, { cause });
}

export function missingBucket(where: string, bucket: string, cause?: unknown): KubesnapError {
  return new KubesnapError("NotFound", `${where}: bucket "${bucket}" does not exist`, {
    hint: "create the bucket, or fix the bucket name (and endpoint) of the storage location",
    cause,
  });
}
