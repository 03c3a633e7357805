/**
 * A TCP proxy with connection-level faults, for the API server: TLS passes through untouched
 * (the client still checks the server's certificate and presents its own), so the proxy can
 * only drop, delay or refuse whole connections, not single requests.
 */
import { connect, createServer } from "node:net";
import { type FaultProxy, listen } from "./listen.js";
import { FaultPlan, type Faults } from "./plan.js";

/** The faults a TCP proxy can inject: it cannot see requests, so no errors or stalls. */
export type ConnectionFaults = Pick<Faults, "dropRate" | "delayMs" | "down">;

export interface TcpFaultProxy extends Omit<FaultProxy, "setFaults"> {
  setFaults(change: Partial<ConnectionFaults>): void;
}

export interface TcpFaultProxyOptions {
  /** URL of the real server (https://127.0.0.1:PORT); the proxy's url keeps its scheme. */
  readonly target: string;
  readonly faults?: Partial<ConnectionFaults>;
  /** Seed of the fault draws, for a reproducible run; random when absent. */
  readonly seed?: number;
}

export function startTcpFaultProxy(options: TcpFaultProxyOptions): Promise<TcpFaultProxy> {
  const target = new URL(options.target);
  const plan = new FaultPlan(options.faults, options.seed);
  const server = createServer((socket) => {
    // A client that gives up during the delay resets its socket: not an error of the proxy.
    socket.on("error", () => socket.destroy());
    if (plan.decide() !== "forwarded") {
      socket.destroy();
      return;
    }
    const pipe = () => {
      if (socket.destroyed) return;
      const upstream = connect(Number(target.port), target.hostname);
      socket.pipe(upstream).pipe(socket);
      // Either side failing or closing ends the pair, as one connection would end.
      upstream.on("error", () => socket.destroy());
      socket.on("close", () => upstream.destroy());
      upstream.on("close", () => socket.destroy());
    };
    const { delayMs } = plan.faults;
    if (delayMs > 0) setTimeout(pipe, delayMs);
    else pipe();
  });
  return listen(server, plan, { protocol: target.protocol });
}
