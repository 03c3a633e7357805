import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { errorOf } from "../core/error-of.test-helper.js";
import { endpointFor } from "./credentials.js";
import { loadKubeconfig, resolveContext } from "./kubeconfig.js";

const dir = () => mkdtempSync(join(tmpdir(), "kubesnap-kubeconfig-"));
const savedEnv = process.env.KUBECONFIG;

afterEach(() => {
  if (savedEnv === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedEnv;
});

function write(file: string, doc: object): string {
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe("kubeconfig", () => {
  it("merges $KUBECONFIG files: the first definition of a name and the first current-context win", () => {
    const d = dir();
    const a = write(join(d, "a"), {
      "current-context": "one",
      contexts: [{ name: "one", context: { cluster: "c1", user: "u1" } }],
      clusters: [{ name: "c1", cluster: { server: "https://one:6443", "certificate-authority": "ca.pem" } }],
      users: [{ name: "u1", user: { token: "t1" } }],
    });
    const b = write(join(d, "b"), {
      "current-context": "two",
      contexts: [{ name: "two", context: { cluster: "c2", user: "u1" } }],
      clusters: [
        { name: "c1", cluster: { server: "https://shadowed:6443" } },
        { name: "c2", cluster: { server: "https://two:6443" } },
      ],
      users: [{ name: "u1", user: { token: "shadowed" } }],
    });
    process.env.KUBECONFIG = [a, join(d, "missing"), b].join(delimiter);
    const config = loadKubeconfig();
    const current = resolveContext(config);
    expect(current.name).toBe("one");
    expect(current.cluster).toEqual({
      server: "https://one:6443",
      "certificate-authority": join(d, "ca.pem"),
    });
    expect(resolveContext(config, "two").cluster.server).toBe("https://two:6443");
    expect(resolveContext(config, "two").user).toEqual({ token: "t1" });
  });

  it("names the known contexts when asked for an unknown one, and a missing file", () => {
    const d = dir();
    const file = write(join(d, "config"), {
      contexts: [{ name: "prod", context: { cluster: "c" } }],
      clusters: [{ name: "c", cluster: { server: "https://c" } }],
    });
    expect(errorOf(() => resolveContext(loadKubeconfig(file), "dev"))).toMatchObject({
      code: "NotFound",
      message: 'kubeconfig has no context "dev"',
      hint: "use one of: prod",
    });
    expect(errorOf(() => resolveContext(loadKubeconfig(file)))).toMatchObject({
      message: "the kubeconfig names no current context",
    });
    expect(errorOf(() => loadKubeconfig(join(d, "nope")))).toMatchObject({
      message: `cannot read kubeconfig ${join(d, "nope")}`,
    });
  });

  it("turns a context into TLS options and headers: CA and client certificate data, token file", async () => {
    const d = dir();
    writeFileSync(join(d, "token"), "file-token\n");
    const file = write(join(d, "config"), {
      "current-context": "x",
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      clusters: [
        {
          name: "c",
          cluster: {
            server: "https://c:6443",
            "certificate-authority-data": Buffer.from("CA").toString("base64"),
            "tls-server-name": "api.internal",
          },
        },
      ],
      users: [
        {
          name: "u",
          user: {
            "client-certificate-data": Buffer.from("CERT").toString("base64"),
            "client-key-data": Buffer.from("KEY").toString("base64"),
            tokenFile: "token",
          },
        },
      ],
    });
    const endpoint = await endpointFor(resolveContext(loadKubeconfig(file)));
    expect(endpoint.server).toBe("https://c:6443");
    expect(endpoint.tls).toEqual({
      ca: Buffer.from("CA"),
      cert: Buffer.from("CERT"),
      key: Buffer.from("KEY"),
      servername: "api.internal",
    });
    expect(endpoint.headers).toEqual({ Authorization: "Bearer file-token" });
  });

  it("runs an exec credential plugin and uses the token it prints; a failing one is named", async () => {
    const d = dir();
    const plugin = join(d, "plugin.sh");
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"'"$MY_TOKEN"'"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const config = (command: string) =>
      write(join(d, `config-${command.length}`), {
        "current-context": "x",
        contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
        clusters: [{ name: "c", cluster: { server: "https://c:6443" } }],
        users: [
          { name: "u", user: { exec: { command, env: [{ name: "MY_TOKEN", value: "from-plugin" }] } } },
        ],
      });
    const endpoint = await endpointFor(resolveContext(loadKubeconfig(config(plugin))));
    expect(endpoint.headers).toEqual({ Authorization: "Bearer from-plugin" });
    const failing = await endpointFor(resolveContext(loadKubeconfig(config("/bin/false")))).catch(
      (e: unknown) => e,
    );
    expect(failing).toMatchObject({
      code: "AccessDenied",
      message: 'the credential plugin "/bin/false" of context "x" failed',
    });
  });
});
