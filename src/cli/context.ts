import type { ConnectOptions } from "../cluster/connect.js";
import { LocalSession } from "../local/session.js";
import type { Io } from "./io.js";

/** What every command gets: where to write, how to reach the cluster, and a clock. */
export interface CommandContext {
  readonly io: Io;
  readonly connect: ConnectOptions;
  /** The namespace the kubesnap server runs in (server mode). */
  readonly serverNamespace: string;
  readonly now: () => Date;
}

/** Runs fn with a local session and closes the session's connections afterwards. */
export async function withSession<T>(
  ctx: CommandContext,
  fn: (session: LocalSession) => Promise<T>,
): Promise<T> {
  const session = await LocalSession.open(ctx.connect);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}
