/** Fault-injecting proxies for tests: HTTP for object stores, TCP for API servers. */
export { writeProxiedKubeconfig } from "./kubeconfig.js";
export type { FaultProxy } from "./listen.js";
export type { FaultCounts, Faults } from "./plan.js";
export { type FaultProxyOptions, startFaultProxy } from "./proxy.js";
export { type ConnectionFaults, startTcpFaultProxy, type TcpFaultProxy } from "./tcp-proxy.js";
