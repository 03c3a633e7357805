import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpFaultProxy, type TcpFaultProxy } from "./tcp-proxy.js";

/** A target that echoes every byte back, so a round trip proves both directions. */
let target: Server;
let targetUrl = "";
let accepted = 0;

beforeAll(async () => {
  target = createServer((socket) => {
    accepted++;
    socket.on("error", () => socket.destroy());
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  targetUrl = `https://127.0.0.1:${(target.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())));

/** Connects, sends `text`, and resolves with the echo, or rejects with how the connection ended. */
function roundTrip(port: number, text: string): Promise<{ echo: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let echo = "";
    socket.on("data", (chunk: Buffer) => {
      echo += chunk.toString();
      if (echo.length >= text.length) resolve({ echo, socket });
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`closed after "${echo}"`)));
    socket.write(text);
  });
}

async function withProxy(
  options: Omit<Parameters<typeof startTcpFaultProxy>[0], "target">,
  run: (proxy: TcpFaultProxy) => Promise<void>,
): Promise<void> {
  const proxy = await startTcpFaultProxy({ target: targetUrl, ...options });
  try {
    await run(proxy);
  } finally {
    await proxy.close();
  }
}

describe("the TCP fault proxy", () => {
  it("pipes bytes both ways and keeps the target's scheme in its url", async () => {
    await withProxy({}, async (proxy) => {
      expect(proxy.url).toBe(`https://127.0.0.1:${proxy.port}`);
      const { echo, socket } = await roundTrip(proxy.port, "hello");
      expect(echo).toBe("hello");
      socket.destroy();
      expect(proxy.counts.forwarded).toBe(1);
    });
  });

  it("drops a new connection before it reaches the target", async () => {
    await withProxy({ faults: { dropRate: 1 } }, async (proxy) => {
      const before = accepted;
      await expect(roundTrip(proxy.port, "hello")).rejects.toThrow();
      expect(proxy.counts.dropped).toBe(1);
      expect(accepted).toBe(before);
    });
  });

  it("delays new connections", async () => {
    await withProxy({ faults: { delayMs: 200 } }, async (proxy) => {
      const started = Date.now();
      (await roundTrip(proxy.port, "x")).socket.destroy();
      expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    });
  });

  it("when down, cuts open connections and refuses new ones until it is back up", async () => {
    await withProxy({}, async (proxy) => {
      const { socket } = await roundTrip(proxy.port, "x");
      const cut = new Promise((resolve) => socket.once("close", resolve));
      proxy.setFaults({ down: true });
      await cut;
      await expect(roundTrip(proxy.port, "x")).rejects.toThrow();
      expect(proxy.counts.refused).toBe(1);
      proxy.setFaults({ down: false });
      expect((await roundTrip(proxy.port, "back")).echo).toBe("back");
    });
  });
});
