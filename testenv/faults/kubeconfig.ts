import { readFile, writeFile } from "node:fs/promises";
import { parse, stringify } from "yaml";

interface Kubeconfig {
  clusters?: { cluster?: { server?: string } }[];
}

/**
 * Copies a kubeconfig with every cluster's server replaced by `server` (a proxy's URL). The
 * CA and client certificate stay: the API server's certificate is valid for 127.0.0.1 on any
 * port, so TLS through a TCP proxy on loopback checks out as it does without one.
 */
export async function writeProxiedKubeconfig(source: string, dest: string, server: string): Promise<void> {
  const config = parse(await readFile(source, "utf8")) as Kubeconfig;
  for (const entry of config.clusters ?? []) {
    if (entry.cluster !== undefined) entry.cluster.server = server;
  }
  await writeFile(dest, stringify(config), { mode: 0o600 });
}
