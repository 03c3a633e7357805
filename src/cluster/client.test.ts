import { type AddressInfo, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { KubeClient } from "./client.js";

describe("KubeClient against a server it never reached", () => {
  it("gives up after a few tries with one error naming the server", async () => {
    let connections = 0;
    // Takes each connection and cuts it before TLS can start, like a server going down.
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new KubeClient(
      { server: url, tls: {}, headers: {}, description: `test (${url})` },
      { sleep: async () => {} },
    );
    try {
      await expect(client.get("/version")).rejects.toMatchObject({
        code: "Unavailable",
        // The server cuts the connection: the reason says so.
        message: `cannot reach the API server at test (${url}) (connection reset)`,
      });
      expect(connections).toBe(3);
    } finally {
      client.close();
      server.close();
    }
  });
});
