import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeClusterPki } from "../pki.js";
import type { FaultProxy } from "./listen.js";
import { startFaultProxy } from "./proxy.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyLength: number;
}

/** A target that echoes what it received as JSON, and remembers it. */
let target: Server;
let targetUrl = "";
const seen: Seen[] = [];

beforeAll(async () => {
  target = createServer((req, res) => {
    let bodyLength = 0;
    req.on("data", (chunk: Buffer) => {
      bodyLength += chunk.length;
    });
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, bodyLength };
      seen.push(entry);
      res
        .writeHead(200, { "Content-Type": "application/json", "X-Target": "yes" })
        .end(JSON.stringify(entry));
    });
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  const address = target.address();
  targetUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())));

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(
  url: string,
  options: { method?: string; body?: Buffer; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? "GET", agent: false, headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 5000, () => req.destroy(new Error("client timeout")));
    req.on("error", reject);
    req.end(options.body);
  });
}

async function withProxy(
  options: Omit<Parameters<typeof startFaultProxy>[0], "target">,
  run: (proxy: FaultProxy) => Promise<void>,
): Promise<void> {
  const proxy = await startFaultProxy({ target: targetUrl, ...options });
  try {
    await run(proxy);
  } finally {
    await proxy.close();
  }
}

describe("the HTTP fault proxy", () => {
  it("forwards method, path, Host and a streamed body both ways when no fault is set", async () => {
    await withProxy({}, async (proxy) => {
      const body = Buffer.alloc(3 * 1024 * 1024, 7);
      const answer = await send(`${proxy.url}/bucket/key?x-id=PutObject`, { method: "PUT", body });
      expect(answer.status).toBe(200);
      expect(answer.headers["x-target"]).toBe("yes");
      const echoed = JSON.parse(answer.body) as Seen;
      expect(echoed).toMatchObject({
        method: "PUT",
        url: "/bucket/key?x-id=PutObject",
        bodyLength: body.length,
      });
      // Signed requests name the host the client sent them to: the proxy must not rewrite it.
      expect(echoed.headers.host).toBe(new URL(proxy.url).host);
      expect(proxy.counts).toEqual({ refused: 0, dropped: 0, errored: 0, stalled: 0, forwarded: 1 });
    });
  });

  it("answers an injected error as S3 does, without reaching the target", async () => {
    await withProxy({ faults: { errorRate: 1 } }, async (proxy) => {
      const before = seen.length;
      const answer = await send(`${proxy.url}/b/k`, { method: "PUT", body: Buffer.alloc(1000) });
      expect(answer.status).toBe(503);
      expect(answer.body).toContain("<Code>SlowDown</Code>");
      expect(seen.length).toBe(before);
      expect(proxy.counts.errored).toBe(1);
    });
  });

  it("cuts a dropped request's connection without an answer", async () => {
    await withProxy({ faults: { dropRate: 1 } }, async (proxy) => {
      await expect(send(`${proxy.url}/b/k`)).rejects.toMatchObject({ code: "ECONNRESET" });
      expect(proxy.counts.dropped).toBe(1);
    });
  });

  it("never answers a stalled request, so only the client's own timeout ends it", async () => {
    await withProxy({ faults: { stallRate: 1 } }, async (proxy) => {
      const started = Date.now();
      await expect(send(`${proxy.url}/b/k`, { timeoutMs: 300 })).rejects.toThrow("client timeout");
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(proxy.counts.stalled).toBe(1);
    });
  });

  it("delays forwarded requests", async () => {
    await withProxy({ faults: { delayMs: 200 } }, async (proxy) => {
      const started = Date.now();
      expect((await send(`${proxy.url}/b/k`)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    });
  });

  it("when down, cuts open connections and refuses new requests until it is back up", async () => {
    await withProxy({ faults: { stallRate: 1 } }, async (proxy) => {
      const stalled = send(`${proxy.url}/b/k`, { timeoutMs: 5000 });
      await waitFor(() => proxy.counts.stalled === 1);
      proxy.setFaults({ down: true, stallRate: 0 });
      await expect(stalled).rejects.toMatchObject({ code: "ECONNRESET" });
      await expect(send(`${proxy.url}/b/k`)).rejects.toMatchObject({ code: "ECONNRESET" });
      expect(proxy.counts.refused).toBe(1);
      proxy.setFaults({ down: false });
      expect((await send(`${proxy.url}/b/k`)).status).toBe(200);
    });
  });

  it("injects about the share asked for, and the same seed gives the same fates", async () => {
    const run = async (seed: number) => {
      const fates: number[] = [];
      await withProxy({ seed, faults: { errorRate: 0.1 } }, async (proxy) => {
        for (let i = 0; i < 200; i++) fates.push((await send(`${proxy.url}/k${i}`)).status);
        expect(proxy.counts.errored + proxy.counts.forwarded).toBe(200);
      });
      return fates;
    };
    const first = await run(42);
    const errors = first.filter((s) => s === 503).length;
    expect(errors).toBeGreaterThan(5);
    expect(errors).toBeLessThan(40);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });

  it("forwards to an https target whose certificate the given CA signed, and to no other", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fault-proxy-pki-"));
    const pki = await makeClusterPki(dir);
    const secure = createHttpsServer(
      { cert: readFileSync(pki.servingCert), key: readFileSync(pki.servingKey) },
      (_req, res) => res.end("over tls"),
    );
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    const target = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
    const trusting = await startFaultProxy({ target, ca: readFileSync(pki.caCert) });
    const untrusting = await startFaultProxy({ target });
    try {
      expect((await send(`${trusting.url}/k`)).body).toBe("over tls");
      await expect(send(`${untrusting.url}/k`)).rejects.toMatchObject({ code: "ECONNRESET" });
    } finally {
      await Promise.all([trusting.close(), untrusting.close()]);
      secure.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects rates outside [0, 1] or summing past 1", async () => {
    await expect(startFaultProxy({ target: targetUrl, faults: { errorRate: 1.5 } })).rejects.toThrow("rates");
    await withProxy({}, async (proxy) => {
      expect(() => proxy.setFaults({ dropRate: 0.6, errorRate: 0.6 })).toThrow("rates");
    });
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}
