import type { Server, Socket } from "node:net";
import type { FaultCounts, FaultPlan, Faults } from "./plan.js";

/** A running fault proxy, HTTP or TCP. */
export interface FaultProxy {
  /** Where clients connect instead of the target: http://127.0.0.1:PORT (https:// for a TCP proxy of TLS). */
  readonly url: string;
  readonly port: number;
  readonly faults: Faults;
  /** What the proxy did so far, by fate. */
  readonly counts: Readonly<FaultCounts>;
  /** Changes faults from now on; turning `down` on also cuts the connections already open. */
  setFaults(change: Partial<Faults>): void;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 on a free port and keeps track of client connections, so that `down`
 * and close() can cut them: a target that goes away takes its keep-alive connections with
 * it, and a stalled request must not keep the test process alive.
 */
export async function listen(
  server: Server,
  plan: FaultPlan,
  options: { readonly protocol: string; readonly onClose?: () => void },
): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("fault proxy: no TCP address");
  const port = address.port;
  return {
    url: `${options.protocol}//127.0.0.1:${port}`,
    port,
    get faults() {
      return plan.faults;
    },
    get counts() {
      return plan.counts;
    },
    setFaults(change) {
      plan.set(change);
      if (plan.faults.down) cutAll();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        cutAll();
        options.onClose?.();
      }),
  };
}
