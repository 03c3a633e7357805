import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { NoSuchBucket, NoSuchKey, NotFound, S3ServiceException } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { S3Storage, s3Error } from "./s3.js";

const context = { where: 'Cannot read "k" in s3://b/p', bucket: "b" };
const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

function serviceError(name: string, status: number, message = "server says no"): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? "server" : "client",
    message,
    ...metadata(status),
  });
}

describe("s3Error", () => {
  it("maps a missing key, with or without a body, to NotFound", () => {
    const fromGet = s3Error(new NoSuchKey({ message: "gone", ...metadata(404) }), context);
    expect(fromGet.code).toBe("NotFound");
    expect(fromGet.message).toBe('Cannot read "k" in s3://b/p: object not found');
    expect(s3Error(new NotFound({ message: "", ...metadata(404) }), context).code).toBe("NotFound");
  });

  it("names the bucket when the bucket is missing", () => {
    const err = s3Error(new NoSuchBucket({ message: "no bucket", ...metadata(404) }), context);
    expect(err.code).toBe("NotFound");
    expect(err.message).toContain('bucket "b" does not exist');
    expect(err.hint).toContain("create the bucket");
  });

  it("maps authentication and authorization failures to AccessDenied with a specific hint", () => {
    const cases = [
      ["AccessDenied", "allow reading"],
      ["InvalidAccessKeyId", "accessKeyId"],
      ["SignatureDoesNotMatch", "secretAccessKey"],
      ["ExpiredToken", "refresh"],
      ["Forbidden", "allow reading"],
    ] as const;
    for (const [name, hint] of cases) {
      const err = s3Error(serviceError(name, 403, "signature of AKIA… did not match"), context);
      expect(err.code, name).toBe("AccessDenied");
      expect(err.hint, name).toContain(hint);
      // The server's text can carry the access key id; it stays in the cause only.
      expect(err.message).not.toContain("AKIA");
    }
    expect(s3Error(serviceError("SomethingNew", 403), context).code).toBe("AccessDenied");
  });

  it("maps network failures, throttling and server errors to Unavailable", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    expect(s3Error(refused, context).code).toBe("Unavailable");
    expect(s3Error(Object.assign(new Error("slow"), { name: "TimeoutError" }), context).code).toBe(
      "Unavailable",
    );
    expect(s3Error(serviceError("SlowDown", 503), context).code).toBe("Unavailable");
    expect(s3Error(serviceError("InternalError", 500), context).code).toBe("Unavailable");
    expect(s3Error(serviceError("TooManyRequests", 429), context).code).toBe("Unavailable");
  });

  it("points at the region when the bucket lives elsewhere", () => {
    const err = s3Error(serviceError("PermanentRedirect", 301), context);
    expect(err.code).toBe("InvalidInput");
    expect(err.hint).toContain("region");
  });

  it("keeps anything else as Internal with the server's words and the cause", () => {
    const cause = serviceError("InvalidStorageClass", 400, "bad class");
    const err = s3Error(cause, context);
    expect(err.code).toBe("Internal");
    expect(err.message).toBe('Cannot read "k" in s3://b/p: InvalidStorageClass: bad class');
    expect(err.cause).toBe(cause);
  });
});

describe("S3Storage against a server that hangs", () => {
  it("cuts a request that gets no answer for idleTimeout and tries it again", async () => {
    let requests = 0;
    // Takes the first request and never answers it, as a hung server does; answers the next.
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      if (requests > 1) req.once("end", () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const storage = new S3Storage({
      bucket: "b12",
      s3Url: `http://127.0.0.1:${port}`,
      s3ForcePathStyle: true,
      credentials: { accessKeyId: "AKIA", secretAccessKey: "s3cr3t" },
      idleTimeoutMs: 300,
    });
    try {
      const started = Date.now();
      await storage.put("k", new Uint8Array([1, 2, 3]));
      expect(requests).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
