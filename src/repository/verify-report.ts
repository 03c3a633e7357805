/**
 * What `verify` returns: problems as data, one per damaged object, each with the
 * object's storage key and a reason, so a CLI can print them and a controller can
 * record them without parsing messages.
 */
import type { BlobId } from "./blob-id.js";
import type { DamageReason } from "./damage.js";

export type VerifyProblem =
  | {
      readonly kind: "missing-manifest";
      readonly key: string;
      readonly reason: "missing";
      readonly message: string;
    }
  | {
      readonly kind: "corrupt-manifest";
      readonly key: string;
      readonly reason: DamageReason;
      readonly message: string;
    }
  | {
      /** Referenced but listed by no index file, so there is no object to name: key is null. */
      readonly kind: "missing-blob";
      readonly key: null;
      readonly blob: BlobId;
      readonly reason: "unindexed";
      readonly message: string;
    }
  | {
      /** A pack that is gone, or shorter than the frames the snapshot needs from it. */
      readonly kind: "missing-pack" | "truncated-pack";
      readonly key: string;
      readonly pack: string;
      /** The snapshot's blobs (nodes and data) that the pack's damage makes unreadable. */
      readonly blobs: readonly BlobId[];
      readonly reason: "missing" | "truncated";
      readonly message: string;
    }
  | {
      readonly kind: "corrupt-blob";
      /** The key of the blob's pack. */
      readonly key: string;
      readonly pack: string;
      readonly blob: BlobId;
      readonly reason: DamageReason;
      readonly message: string;
    }
  | {
      readonly kind: "missing-file";
      readonly key: string;
      readonly file: string;
      readonly reason: "missing";
      readonly message: string;
    }
  | {
      readonly kind: "corrupt-file";
      readonly key: string;
      readonly file: string;
      readonly reason: DamageReason;
      readonly message: string;
    };

export interface VerifyReport {
  readonly snapshot: string;
  /** Id-list nodes and data blobs the snapshot references (0 when its manifest is unreadable). */
  readonly blobsReferenced: number;
  /** Of those, the ones whose bytes were read and checked. */
  readonly blobsChecked: number;
  readonly filesChecked: number;
  /** Bytes read from storage: what a sample saves. */
  readonly bytesRead: number;
  readonly problems: readonly VerifyProblem[];
}

export interface VerifyOptions {
  /**
   * Fraction (0, 1] of the referenced data blobs to read, chosen at random (at least one).
   * The manifest, every id-list node and every side file are always read, and every
   * referenced blob is always checked against the index and the pack listing.
   * Default 1: read everything.
   */
  readonly sample?: number;
}
