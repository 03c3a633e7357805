/**
 * `node dist/bench/list-child.js KUBECONFIG`: one bare list (baselines.ts) in a fresh Node
 * process, printed as JSON. The backup it is compared with runs in a fresh process too (the
 * CLI), and a cold process lists markedly slower than a warm one (JIT, heap growth).
 */
import { connect } from "../src/cluster/connect.js";
import { bareList } from "./baselines.js";

const kubeconfig = process.argv[2];
if (!kubeconfig) throw new Error("usage: node dist/bench/list-child.js KUBECONFIG");
const client = await connect({ kubeconfig });
try {
  const run = await bareList(client);
  process.stdout.write(`${JSON.stringify({ ms: run.ms, ...run.value })}\n`);
} finally {
  client.close();
}
