/** The node agent: pod volumes' files into the repository and back, on the pod's own node. */
export { NODE_AGENT_THREADS, runNodeAgent } from "./agent.js";
export { waitForRestoredVolumes } from "./restore-wait.js";
export { DEFAULT_KUBELET_ROOT } from "./volume-path.js";
