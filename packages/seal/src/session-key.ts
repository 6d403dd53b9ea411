import { owned, randomBytes } from './bytes.js';
import { type CryptoKey } from './webcrypto-types.js';

/**
 * One session's AES-256-GCM key at one key epoch. The epoch starts at 1 and grows by one on
 * every rotation; an envelope names the epoch it was sealed under, so older epochs keep opening
 * history after a rotation.
 */
export interface SessionKey {
  readonly sessionId: string;
  readonly epoch: number;
  readonly key: CryptoKey;
}

export const SESSION_KEY_BYTES = 32;

/**
 * A fresh key: 32 random bytes. Extractable, because only the host creates keys and it must
 * wrap them again to devices paired later; devices import theirs non-extractable.
 */
export async function generateSessionKey(sessionId: string, epoch: number): Promise<SessionKey> {
  return importSessionKey(sessionId, epoch, randomBytes(SESSION_KEY_BYTES), true);
}

export async function importSessionKey(
  sessionId: string,
  epoch: number,
  raw: Uint8Array,
  extractable: boolean,
): Promise<SessionKey> {
  if (raw.length !== SESSION_KEY_BYTES) throw new RangeError('a session key is 32 bytes');
  if (!Number.isInteger(epoch) || epoch < 1 || epoch > 0xffffffff) {
    throw new RangeError('a key epoch is an integer from 1 to 4294967295');
  }
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    owned(raw),
    { name: 'AES-GCM', length: 256 },
    extractable,
    ['encrypt', 'decrypt'],
  );
  return { sessionId, epoch, key };
}
