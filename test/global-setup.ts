import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import type { EnvInfo } from "../testenv/env-info.js";
import { startEnvironment } from "../testenv/environment.js";

/**
 * One real environment per test run: two clusters (the second for migration tests), the
 * first with a CSI stack (testenv/csi.ts: ~4 s more to start, ~190 MB), MinIO,
 * fake-gcs-server and Azurite. Each test works in namespaces and key prefixes of its own.
 * KUBESNAP_TESTENV_DIR reuses an environment already started with `npm run testenv -- up DIR`
 * (quicker while developing); it is left running afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const scratch = await mkdtemp(join(tmpdir(), "kubesnap-scratch-"));
  project.provide("scratch", scratch);
  const removeScratch = () => rm(scratch, { recursive: true, force: true });
  const reuse = process.env.KUBESNAP_TESTENV_DIR;
  if (reuse && existsSync(join(reuse, "env.json"))) {
    project.provide("testenv", JSON.parse(readFileSync(join(reuse, "env.json"), "utf8")) as EnvInfo);
    return removeScratch;
  }
  const dir = await mkdtemp(join(tmpdir(), "kubesnap-test-"));
  const env = await startEnvironment(dir, { clusters: 2, csi: true });
  project.provide("testenv", env.info);
  return async () => {
    await env.stop();
    await rm(dir, { recursive: true, force: true });
    await removeScratch();
  };
}
