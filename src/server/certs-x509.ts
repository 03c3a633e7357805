/**
 * The webhook's certificates: a CA of its own and a serving certificate it signs, ECDSA P-256
 * with SHA-256 (quick to make, accepted by every API server). Built with the DER writer and
 * signed with node:crypto; the API server (Go's crypto/x509) is the strictest reader, so
 * every field follows RFC 5280 as Go checks it.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from "node:crypto";
import { isIP } from "node:net";
import {
  bitString,
  boolean,
  type Der,
  explicit,
  implicitPrimitive,
  namedBits,
  octetString,
  oid,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from "./certs-der.js";

/** A certificate and its key, both PEM. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

const ECDSA_WITH_SHA256 = sequence(oid("1.2.840.10045.4.3.2"));
const COMMON_NAME = "2.5.4.3";
const EXT = {
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
} as const;
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
/** KeyUsage bits (RFC 5280 4.2.1.3). */
const DIGITAL_SIGNATURE = 0;
const KEY_CERT_SIGN = 5;
const CRL_SIGN = 6;

/**
 * Clocks differ: a certificate valid from the instant it was made would be "not yet valid" to
 * an API server whose clock is a little behind.
 */
const BACKDATE_MS = 5 * 60_000;

interface Validity {
  readonly now: Date;
  readonly lifetimeMs: number;
}

/** A self-signed CA, allowed to sign end-entity certificates only (pathLen 0). */
export function issueCa(commonName: string, validity: Validity): KeyPair {
  const keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const cert = build({
    subject: commonName,
    issuer: { name: commonName, key: keys.privateKey },
    publicKey: keys.publicKey,
    validity,
    extensions: [
      extension(EXT.basicConstraints, sequence(boolean(true), smallInteger(0)), true),
      extension(EXT.keyUsage, namedBits([DIGITAL_SIGNATURE, KEY_CERT_SIGN, CRL_SIGN]), true),
      extension(EXT.subjectKeyIdentifier, octetString(keyId(keys.publicKey))),
    ],
  });
  return { cert, key: pemKey(keys.privateKey) };
}

/** A serving certificate for these DNS names and IP addresses, signed by the CA, never outliving it. */
export function issueServing(ca: KeyPair, names: readonly string[], validity: Validity): KeyPair {
  const caCert = new X509Certificate(ca.cert);
  const caKey = caCert.publicKey;
  const keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const notAfter = Math.min(validity.now.getTime() + validity.lifetimeMs, Date.parse(caCert.validTo));
  const cert = build({
    subject: names[0] ?? "kubesnap-webhook",
    issuer: { name: commonNameOf(caCert), key: createPrivateKey(ca.key) },
    publicKey: keys.publicKey,
    validity: { now: validity.now, lifetimeMs: notAfter - validity.now.getTime() },
    extensions: [
      extension(EXT.basicConstraints, sequence(), true),
      extension(EXT.keyUsage, namedBits([DIGITAL_SIGNATURE]), true),
      extension(EXT.extKeyUsage, sequence(oid(SERVER_AUTH))),
      extension(EXT.subjectAltName, sequence(...names.map(generalName))),
      extension(EXT.subjectKeyIdentifier, octetString(keyId(keys.publicKey))),
      // Which of several CAs in the bundle signed it: the rotation keeps two for a while.
      extension(EXT.authorityKeyIdentifier, sequence(implicitPrimitive(0, keyId(caKey)))),
    ],
  });
  return { cert, key: pemKey(keys.privateKey) };
}

function build(options: {
  subject: string;
  issuer: { name: string; key: KeyObject };
  publicKey: KeyObject;
  validity: Validity;
  extensions: Der[];
}): string {
  const { now, lifetimeMs } = options.validity;
  // 128 random bits, top bit clear: positive, unique, and at most 20 octets (RFC 5280 4.1.2.2).
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    name(options.issuer.name),
    sequence(time(new Date(now.getTime() - BACKDATE_MS)), time(new Date(now.getTime() + lifetimeMs))),
    name(options.subject),
    // Node exports exactly the SubjectPublicKeyInfo structure a certificate holds.
    options.publicKey.export({ type: "spki", format: "der" }),
    explicit(3, sequence(...options.extensions)),
  );
  // For EC keys Node signs in DER (an ECDSA-Sig-Value), as X.509 wants.
  const signature = sign("sha256", tbs, options.issuer.key);
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const base64 = der.toString("base64").replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`;
}

function name(commonName: string): Der {
  return sequence(set(sequence(oid(COMMON_NAME), utf8String(commonName))));
}

function extension(id: string, value: Der, critical = false): Der {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** dNSName [2] or iPAddress [7] (4 or 16 bytes; IPv6 in its plain hex form). */
function generalName(value: string): Der {
  const family = isIP(value);
  if (family === 0) return implicitPrimitive(2, Buffer.from(value, "ascii"));
  return implicitPrimitive(7, family === 4 ? Buffer.from(value.split(".").map(Number)) : ipv6Bytes(value));
}

function ipv6Bytes(address: string): Buffer {
  const [head = "", tail] = address.split("::");
  const groups = (part: string) => (part ? part.split(":") : []);
  const missing = 8 - groups(head).length - groups(tail ?? "").length;
  const all = [
    ...groups(head),
    ...Array<string>(tail === undefined ? 0 : missing).fill("0"),
    ...groups(tail ?? ""),
  ];
  return Buffer.from(all.flatMap((g) => [Number.parseInt(g, 16) >> 8, Number.parseInt(g, 16) & 0xff]));
}

/** A key identifier: the SHA-1 of the SubjectPublicKeyInfo (RFC 7093 allows any such hash). */
function keyId(publicKey: KeyObject): Buffer {
  return createHash("sha1")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest();
}

function pemKey(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

function commonNameOf(cert: X509Certificate): string {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? "";
}
