/**
 * base64url without padding (RFC 4648 §5), the encoding of every binary field of the sealed
 * formats. Built on btoa/atob, which Node 20 and every browser have, so the same code runs in
 * both. Decoding is strict: a character outside the alphabet, padding or a length no encoder
 * produces is refused, and so are stray low bits in the last character, so one value has one
 * spelling (what is signed cannot be re-spelled).
 */

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Returns undefined for anything that is not canonical unpadded base64url. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  const tail = text.length % 4;
  if (tail === 1 || !BASE64URL.test(text)) return undefined;
  // The last character of a 2- or 3-character tail carries 4 or 2 bits no byte uses: an
  // encoder writes them as zero.
  if (tail !== 0) {
    const unused = ALPHABET.indexOf(text[text.length - 1]!) & (tail === 2 ? 0x0f : 0x03);
    if (unused !== 0) return undefined;
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
