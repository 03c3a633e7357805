/**
 * Damage to a stored object, reported with what is wrong in a form verify can sort:
 * the object's key and a reason. Readers throw it; verify turns it into a problem.
 */
import { KubesnapError } from "../core/errors.js";

export type DamageReason =
  /** Shorter than the index or manifest says. */
  | "truncated"
  /** Fails a checksum, does not decode, or does not match its id. */
  | "corrupt"
  /** Fails AES-GCM authentication: altered, damaged, or sealed for another object. */
  | "unauthenticated"
  /** An intact manifest that belongs to another snapshot. */
  | "swapped";

export interface DamageDetails {
  /** Storage key of the damaged object. */
  readonly key: string;
  readonly reason: DamageReason;
  readonly message: string;
  readonly hint?: string;
  readonly cause?: unknown;
}

export class DamagedObjectError extends KubesnapError {
  readonly key: string;
  readonly reason: DamageReason;

  constructor(details: DamageDetails) {
    const { hint, cause } = details;
    super("Corrupt", details.message, {
      ...(hint === undefined ? {} : { hint }),
      ...(cause === undefined ? {} : { cause }),
    });
    this.key = details.key;
    this.reason = details.reason;
  }
}
