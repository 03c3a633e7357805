/**
 * One interface for the two ways the CLI works with backups and restores: local mode (the
 * engine runs in the CLI against the local config's locations) and server mode (the CLI
 * creates and reads kubesnap.io objects; the server in the cluster does the work). The
 * commands are written once against it.
 */
import type { BackupSpec } from "../../backup/spec.js";
import type { BackupVerification } from "../../backup/verify.js";
import type { ResultsDoc } from "../../report/results.js";
import type { RestoreSpec } from "../../restore/record.js";
import type { ProgressUpdate } from "../output/progress.js";
import type { BackupView, RestoreView } from "./records.js";

/** What a command shows (view) and what `-o json|yaml` prints (object: a record or a server object). */
export interface Shown<V> {
  readonly view: V;
  readonly object: unknown;
}

/** A run that finished (local mode, or --wait), or a request the server will carry out. */
export type Created<V> =
  | (Shown<V> & { readonly finished: true /** Extra figures of a local run. */; readonly detail?: string })
  | { readonly finished: false };

export interface CreateOptions {
  /** Server mode: follow the object until it finishes. Local mode always waits. */
  readonly wait: boolean;
  readonly onProgress: (update: ProgressUpdate) => void;
}

export interface Backups {
  create(name: string, spec: BackupSpec, options: CreateOptions): Promise<Created<BackupView>>;
  list(onWarning: (message: string) => void): Promise<Shown<BackupView>[]>;
  get(name: string): Promise<Shown<BackupView>>;
  logs(name: string): Promise<string>;
  results(name: string): Promise<ResultsDoc>;
  /** Deletes (local) or requests deletion (server); returns the sentence to print. */
  delete(name: string): Promise<string>;
  /** Reads what the backup references (here, or on the server) and reports each problem. */
  verify(name: string, samplePercent: number): Promise<BackupVerification>;
}

export interface Restores {
  create(name: string, spec: RestoreSpec, options: CreateOptions): Promise<Created<RestoreView>>;
  list(onWarning: (message: string) => void): Promise<Shown<RestoreView>[]>;
  get(name: string): Promise<Shown<RestoreView>>;
  logs(name: string): Promise<string>;
  results(name: string): Promise<ResultsDoc>;
  delete(name: string): Promise<string>;
}

export interface Backend {
  readonly mode: "local" | "server";
  readonly backups: Backups;
  readonly restores: Restores;
  close(): void;
}
