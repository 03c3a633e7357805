import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** The status code of a GET, for readiness probes; rejects when nothing answers. */
export function probe(url: string, tls?: TlsFiles): Promise<number> {
  return new Promise((resolve, reject) => {
    const options = tls
      ? { ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key), timeout: 2000 }
      : { timeout: 2000 };
    const request = url.startsWith("https:") ? httpsRequest : httpRequest;
    const req = request(url, options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
