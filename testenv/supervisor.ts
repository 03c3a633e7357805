/**
 * The long-lived parent of a `testenv up` environment. Servers die with it (parent-death
 * signal), so `down` only has to stop this one process; SIGTERM stops everything cleanly.
 */
import { describeError } from "../src/core/errors.js";
import { startEnvironment } from "./environment.js";
import { clearState, writeState } from "./state.js";

const [dir = "", clusters = "1", csi = ""] = process.argv.slice(2);
const supervisorPid = process.pid;
await writeState(dir, { status: "starting", supervisorPid });
try {
  const env = await startEnvironment(dir, {
    clusters: Number(clusters),
    csi: csi === "--csi",
    log: (line) => console.log(line),
  });
  await writeState(dir, { status: "ready", supervisorPid, pids: env.pids });
  const shutdown = async () => {
    await env.stop();
    await clearState(dir);
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  // Keep the event loop alive until a signal arrives.
  setInterval(() => {}, 1 << 30);
} catch (err) {
  await writeState(dir, { status: "failed", supervisorPid, error: describeError(err) });
  process.exit(1);
}
