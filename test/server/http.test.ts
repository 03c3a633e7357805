import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HealthServer, type NotReady, startHealthServer } from "../../src/server/health.js";
import { createServerMetrics } from "../../src/server/metrics.js";

let ready: boolean | NotReady = false;
let server: HealthServer;
let base: string;
const metrics = createServerMetrics();

beforeAll(async () => {
  server = await startHealthServer({ listen: "127.0.0.1:0", ready: () => ready, metrics: metrics.registry });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server?.close());

async function get(path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text(), res };
}

describe("the health and metrics endpoint", () => {
  it("binds the port it was given (0: a free one)", () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it("answers /healthz while the process runs", async () => {
    expect(await get("/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    expect((await get("/healthz?verbose")).status).toBe(200);
  });

  it("answers /readyz with 503 and a one-line reason until ready, then 200", async () => {
    ready = false;
    expect(await get("/readyz")).toMatchObject({ status: 503, body: "not ready\n" });
    ready = { ready: false, reason: "informers not synced:\nbackups, schedules" };
    expect(await get("/readyz")).toMatchObject({
      status: 503,
      body: "not ready: informers not synced: backups, schedules\n",
    });
    ready = true;
    expect(await get("/readyz")).toMatchObject({ status: 200, body: "ok\n" });
  });

  it("serves the registry on /metrics in the text format", async () => {
    metrics.backupTotal.inc({ outcome: "PartiallyFailed" });
    metrics.leader.set(1);
    const { status, type, body } = await get("/metrics");
    expect(status).toBe(200);
    expect(type).toBe("text/plain; version=0.0.4; charset=utf-8");
    for (const name of [
      "kubesnap_backup_total",
      "kubesnap_restore_total",
      "kubesnap_backup_duration_seconds",
      "kubesnap_restore_duration_seconds",
      "kubesnap_backup_items_total",
      "kubesnap_backup_bytes_total",
      "kubesnap_backup_last_successful_timestamp",
      "kubesnap_leader",
      "kubesnap_pre_delete_bypass_total",
    ])
      expect(body).toContain(`# TYPE ${name} `);
    expect(body).toContain('kubesnap_backup_total{outcome="PartiallyFailed"} 1\n');
    expect(body).toContain("kubesnap_leader 1\n");
  });

  it("answers HEAD without a body, other methods with 405, and unknown paths with 404", async () => {
    const head = await get("/healthz", { method: "HEAD" });
    expect(head).toMatchObject({ status: 200, body: "" });
    const post = await get("/metrics", { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.res.headers.get("allow")).toBe("GET, HEAD");
    for (const path of ["/", "/health", "/metrics/x", "/constructor", "/__proto__"])
      expect(await get(path), path).toMatchObject({ status: 404, body: "not found\n" });
  });

  it("reports a broken readiness check as 500 with its message, and keeps serving", async () => {
    const broken = await startHealthServer({
      listen: "127.0.0.1:0",
      ready: () => {
        throw new Error("checker crashed\nbadly");
      },
      metrics: metrics.registry,
    });
    try {
      const res = await fetch(`http://127.0.0.1:${broken.port}/readyz`);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe("checker crashed badly\n");
      expect((await fetch(`http://127.0.0.1:${broken.port}/healthz`)).status).toBe(200);
    } finally {
      await broken.close();
    }
  });

  it("refuses a port already taken, naming the address", async () => {
    await expect(
      startHealthServer({ listen: `127.0.0.1:${server.port}`, ready: () => true, metrics: metrics.registry }),
    ).rejects.toThrow(`cannot listen on 127.0.0.1:${server.port}`);
  });

  it("closes even with keep-alive connections open", async () => {
    const other = await startHealthServer({
      listen: "127.0.0.1:0",
      ready: () => true,
      metrics: metrics.registry,
    });
    // fetch keeps the connection alive in its pool.
    expect((await fetch(`http://127.0.0.1:${other.port}/healthz`)).status).toBe(200);
    await other.close();
    await expect(fetch(`http://127.0.0.1:${other.port}/healthz`)).rejects.toThrow();
  });
});
