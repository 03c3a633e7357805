import { X509Certificate } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { connect, createServer } from "node:tls";
import { describe, expect, it } from "vitest";
import { namedBits, oid, time, unsignedInteger } from "./certs-der.js";
import { issueCa, issueServing } from "./certs-x509.js";

const NOW = new Date();
const DAY = 86_400_000;

describe("DER", () => {
  it("encodes integers minimally, positive, with a zero byte before a set top bit", () => {
    expect(unsignedInteger(Buffer.from([0, 0, 5])).toString("hex")).toBe("020105");
    expect(unsignedInteger(Buffer.from([0x80])).toString("hex")).toBe("02020080");
    expect(unsignedInteger(Buffer.from([])).toString("hex")).toBe("020100");
  });

  it("encodes object identifiers in base 128 and named bits without trailing zero bits", () => {
    expect(oid("1.2.840.10045.4.3.2").toString("hex")).toBe("06082a8648ce3d040302");
    // keyCertSign (5) and cRLSign (6): one byte, one unused bit.
    expect(namedBits([5, 6]).toString("hex")).toBe("03020106");
    expect(namedBits([0]).toString("hex")).toBe("03020780");
  });

  it("writes UTCTime through 2049 and GeneralizedTime from 2050", () => {
    expect(
      time(new Date(Date.UTC(2026, 10, 26, 7, 0, 0)))
        .toString("ascii")
        .slice(2),
    ).toBe("261126070000Z");
    expect(
      time(new Date(Date.UTC(2051, 0, 1)))
        .toString("ascii")
        .slice(2),
    ).toBe("20510101000000Z");
  });
});

describe("issueCa and issueServing", () => {
  it("make a CA and a serving certificate that it signed, for the names given", () => {
    const ca = issueCa("test-ca", { now: NOW, lifetimeMs: 365 * DAY });
    const serving = issueServing(ca, ["kubesnap.ks.svc", "127.0.0.1", "::1"], {
      now: NOW,
      lifetimeMs: 90 * DAY,
    });
    const caCert = new X509Certificate(ca.cert);
    const cert = new X509Certificate(serving.cert);
    expect(caCert.ca).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkHost("kubesnap.ks.svc")).toBe("kubesnap.ks.svc");
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(cert.checkIP("::1")).toBe("::1");
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(Date.parse(cert.validFrom)).toBeLessThan(NOW.getTime());
  });

  it("never outlive their CA", () => {
    const ca = issueCa("short-ca", { now: NOW, lifetimeMs: 10 * DAY });
    const serving = issueServing(ca, ["127.0.0.1"], { now: NOW, lifetimeMs: 90 * DAY });
    expect(new X509Certificate(serving.cert).validTo).toBe(new X509Certificate(ca.cert).validTo);
  });

  it("serve TLS that a client trusting a bundle with the CA accepts, and one trusting another CA refuses", async () => {
    const ca = issueCa("tls-ca", { now: NOW, lifetimeMs: 365 * DAY });
    const other = issueCa("other-ca", { now: NOW, lifetimeMs: 365 * DAY });
    const serving = issueServing(ca, ["127.0.0.1"], { now: NOW, lifetimeMs: 90 * DAY });
    const server = createServer({ cert: serving.cert, key: serving.key }, (socket) => socket.end("ok"));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as AddressInfo).port;
    const handshake = (trusted: string) =>
      new Promise<string>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port, ca: trusted }, () => resolve("trusted"));
        socket.on("error", (err) => resolve(err.message));
      });
    try {
      expect(await handshake(other.cert + ca.cert)).toBe("trusted");
      expect(await handshake(other.cert)).toMatch(/certificate/);
    } finally {
      server.close();
    }
  });
});
