import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../../testenv/build.js";
import { repoRoot } from "../../testenv/paths.js";
import type { State } from "../../testenv/state.js";

const run = promisify(execFile);
const cli = join(repoRoot(), "dist", "testenv", "cli.js");
const testenv = (...args: string[]) => run(process.execPath, [cli, ...args], { encoding: "utf8" });

describe("npm run testenv -- up / down", () => {
  let dir = "";
  afterAll(async () => {
    if (dir) {
      await testenv("down", dir).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("starts an environment in the background and down leaves no process behind", async () => {
    dir = await mkdtemp(join(tmpdir(), "kubesnap-updown-"));
    const upResult = await testenv("up", dir);
    expect(upResult.stdout).toContain("testenv: ready");
    expect(existsSync(join(dir, "kubeconfig"))).toBe(true);
    const env = JSON.parse(readFileSync(join(dir, "env.json"), "utf8"));
    expect(env.clusters).toHaveLength(1);

    const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as State;
    expect(state.status).toBe("ready");
    const pids = state.status === "ready" ? [state.supervisorPid, ...state.pids] : [];
    // etcd, kube-apiserver, kube-controller-manager, MinIO, fake-gcs-server, Azurite and the supervisor.
    expect(pids.length).toBe(7);
    expect(pids.every(isAlive)).toBe(true);

    const downResult = await testenv("down", dir);
    expect(downResult.stdout).toContain("stopped");
    expect(pids.filter(isAlive)).toEqual([]);

    const again = await testenv("down", dir);
    expect(again.stdout).toContain("nothing is running");
  });
});
