/** The node agent: pod volumes' files into the repository and back, on the pod's own node. */
export { NODE_AGENT_THREADS, type NodeAgentOptions, runNodeAgent } from "./agent.js";
export { waitForRestoredVolumes } from "./restore-wait.js";
export { DEFAULT_KUBELET_ROOT, podVolumesDir } from "./volume-path.js";
