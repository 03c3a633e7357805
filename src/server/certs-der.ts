/**
 * Just enough ASN.1 DER (ITU-T X.690) to write an X.509 certificate: Node can sign and parse
 * certificates but not build them, and the server image has no openssl binary. Encoding only;
 * every value is definite-length and minimal, as DER (and Go's strict x509 parser) require.
 */
import { KubesnapError } from "../core/errors.js";

export type Der = Buffer;

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Tag, length, value. */
export function tlv(tag: number, value: Uint8Array): Der {
  return Buffer.concat([Buffer.from([tag]), length(value.length), value]);
}

export const sequence = (...items: Der[]): Der => tlv(0x30, Buffer.concat(items));
export const set = (...items: Der[]): Der => tlv(0x31, Buffer.concat(items));
export const octetString = (value: Uint8Array): Der => tlv(0x04, value);
export const utf8String = (text: string): Der => tlv(0x0c, Buffer.from(text, "utf8"));
export const boolean = (value: boolean): Der => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
/** [n] EXPLICIT: wraps a whole encoding. */
export const explicit = (n: number, inner: Der): Der => tlv(0xa0 | n, inner);
/** [n] IMPLICIT of a primitive (a GeneralName's dNSName or iPAddress): the tag replaces the type's. */
export const implicitPrimitive = (n: number, value: Uint8Array): Der => tlv(0x80 | n, value);

/** A non-negative INTEGER from its big-endian magnitude: no extra leading zeros, a zero byte if the top bit is set. */
export function unsignedInteger(magnitude: Uint8Array): Der {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = Buffer.from(magnitude.subarray(start));
  const first = trimmed[0] ?? 0;
  return tlv(
    0x02,
    first & 0x80 || trimmed.length === 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed,
  );
}

export const smallInteger = (n: number): Der => unsignedInteger(Buffer.from([n]));

/** A BIT STRING of whole bytes (no unused bits), as signatures and key identifiers are. */
export const bitString = (bytes: Uint8Array): Der => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

/**
 * A named-bit BIT STRING (KeyUsage): bit 0 is the most significant bit of the first byte, and
 * DER drops trailing zero bits, saying how many of the last byte's bits are unused.
 */
export function namedBits(bits: readonly number[]): Der {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits)
    bytes[Math.floor(bit / 8)] = (bytes[Math.floor(bit / 8)] ?? 0) | (0x80 >> (bit % 8));
  const unused = 7 - (highest % 8);
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** An OBJECT IDENTIFIER from its dotted form ("2.5.4.3"). */
export function oid(dotted: string): Der {
  const parts = dotted.split(".").map(Number);
  const [first = 0, second = 0, ...rest] = parts;
  if (parts.length < 2 || parts.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new KubesnapError("Internal", `not an object identifier: "${dotted}"`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) {
      base128.unshift((rest & 0x7f) | 0x80);
    }
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/**
 * A certificate's time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5),
 * in whole seconds, always Zulu.
 */
export function time(date: Date): Der {
  const iso = date.toISOString(); // 2026-11-26T07:00:00.000Z
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(digits.slice(2), "ascii"));
  return tlv(0x18, Buffer.from(digits, "ascii"));
}
