/**
 * A fresh input id (a UUID v4). Uses `crypto.randomUUID` where available; browsers expose it only
 * in secure contexts, so a page served over plain http on a LAN falls back to `getRandomValues`.
 */
export function newInputId(): string {
  const c = (globalThis as { crypto?: Partial<Crypto> }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  if (!c?.getRandomValues) {
    throw new Error('no crypto.getRandomValues on this platform: cannot create input ids');
  }
  const bytes = c.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface Crypto {
  randomUUID(): string;
  getRandomValues(array: Uint8Array): Uint8Array;
}
