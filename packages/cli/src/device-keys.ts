import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SealingOptions } from '@baton/client';
import { FileSealingStore } from '@baton/client/node';
import { batonHome } from './cli-home.js';
import { credentialKey } from './server-target.js';

/**
 * Where this CLI keeps its keys for a relay's sealed sessions: one file per relay (one device
 * there, so named as its credential is: `localhost` as `127.0.0.1`), mode 0600 in a 0700 folder
 * under the CLI's home. `baton join` writes it.
 */
export function deviceKeysPath(url: string): string {
  return keysFileOf(new URL(credentialKey(url)).origin);
}

const keysFileOf = (origin: string) =>
  join(batonHome(), 'device-keys', `${origin.replace(/[^A-Za-z0-9.-]+/g, '_')}.json`);

/** The `sealing` option of a client of `url`: present when this CLI joined a host there. */
export function sealingFor(url: string): { sealing?: SealingOptions } {
  const store = deviceKeysFor(url);
  return store ? { sealing: { store, httpUrl: new URL(url).origin } } : {};
}

/** The key store for `url` when this CLI joined a host there, else undefined. */
export function deviceKeysFor(url: string): FileSealingStore | undefined {
  // An older CLI named the file by the address as typed (`localhost`).
  const path = [deviceKeysPath(url), keysFileOf(new URL(url).origin)].find((p) => existsSync(p));
  return path !== undefined ? new FileSealingStore(path) : undefined;
}
