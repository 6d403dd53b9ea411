import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';
import type { Logger } from '../logger.js';

/** The server's VAPID key pair (RFC 8292), base64url as the Push API takes it. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/**
 * The VAPID keys kept in `<dataDir>/push/vapid.json` (0600), made once by the web-push library.
 * Browsers subscribe with the public key; a new key pair would orphan every subscription, so
 * the file is only ever written when it does not exist or cannot be read.
 */
export function loadVapidKeys(dataDir: string, log: Logger): VapidKeys {
  const dir = join(dataDir, 'push');
  const file = join(dir, 'vapid.json');
  try {
    const keys = JSON.parse(readFileSync(file, 'utf8')) as Partial<VapidKeys>;
    if (typeof keys.publicKey === 'string' && typeof keys.privateKey === 'string')
      return { publicKey: keys.publicKey, privateKey: keys.privateKey };
    log.warn('the VAPID key file is malformed; making new keys (browsers must subscribe again)', {
      file,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn(
        'the VAPID key file is unreadable; making new keys (browsers must subscribe again)',
        {
          file,
          error: (err as Error).message,
        },
      );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = webpush.generateVAPIDKeys();
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(keys) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  return keys;
}
