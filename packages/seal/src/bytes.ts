/**
 * Byte-string building blocks of the sealed formats (docs/protocol.md, "Sealed envelope"). Every
 * multi-byte integer is big-endian; every string is UTF-8 behind a 2-byte length, so no field can
 * run into the next (the byte strings that are signed or authenticated have one parse only).
 */

const encoder = new TextEncoder();

/** `str(s)`: u16be byte length, then the UTF-8 bytes. Refuses strings over 65,535 bytes. */
export function lengthPrefixed(value: string): Uint8Array {
  const bytes = encoder.encode(value);
  if (bytes.length > 0xffff) throw new RangeError('a sealed field is longer than 65,535 bytes');
  const out = new Uint8Array(2 + bytes.length);
  new DataView(out.buffer).setUint16(0, bytes.length);
  out.set(bytes, 2);
  return out;
}

export function u8(value: number): Uint8Array {
  return Uint8Array.of(value);
}

export function u32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError('a u32 field must be an integer from 0 to 4294967295');
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** u64be; JavaScript callers stay within Number.MAX_SAFE_INTEGER, which the schemas enforce. */
export function u64(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError('a u64 field must be a non-negative safe integer');
  }
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function utf8(value: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(value);
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** Copies into a fresh ArrayBuffer-backed array, the type WebCrypto's BufferSource wants. */
export function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** Bytes from lowercase hex, for the fixed constants of the formats (DER headers, key tables). */
export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}
