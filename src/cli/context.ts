import type { ConnectOptions } from "../cluster/connect.js";
import type { Io } from "./io.js";

/** What every command gets: where to write, how to reach the cluster, and a clock. */
export interface CommandContext {
  readonly io: Io;
  readonly connect: ConnectOptions;
  /** The namespace the kubesnap server runs in (server mode). */
  readonly serverNamespace: string;
  /** --local: run the engine here even when a kubesnap server is installed. */
  readonly local: boolean;
  readonly now: () => Date;
}
