/**
 * base64url without padding (RFC 4648 §5), the encoding of every binary field of the sealed
 * formats. Built on btoa/atob, which Node 20 and every browser have, so the same code runs in
 * both. Decoding is strict: a character outside the alphabet, padding or a length no encoder
 * produces is refused, so one value has one encoding (what is signed cannot be re-spelled).
 */

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Returns undefined for anything that is not canonical unpadded base64url. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  // Non-canonical spellings (stray low bits in the last character) re-encode differently.
  return toBase64url(out) === text ? out : undefined;
}
