import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SealingOptions } from '@baton/client';
import { FileSealingStore } from '@baton/client/node';
import { batonHome } from './cli-home.js';
import { credentialSpelling } from './server-target.js';

/**
 * Where this CLI keeps its keys for a relay's sealed sessions: one file per relay (one device
 * there), mode 0600 in a 0700 folder under the CLI's home. `baton join` writes it.
 */
export function deviceKeysPath(url: string): string {
  const origin = new URL(url).origin;
  return join(batonHome(), 'device-keys', `${origin.replace(/[^A-Za-z0-9.-]+/g, '_')}.json`);
}

/** The `sealing` option of a client of `url`: present when this CLI joined a host there. */
export function sealingFor(url: string): { sealing?: SealingOptions } {
  const store = deviceKeysFor(url);
  return store ? { sealing: { store, httpUrl: new URL(url).origin } } : {};
}

/**
 * The key store for `url` when this CLI joined a host there, else undefined: the one of the
 * device whose credential is used for `url` (a loopback twin's, see `credentialSpelling`).
 */
export function deviceKeysFor(url: string): FileSealingStore | undefined {
  const path = deviceKeysPath(credentialSpelling(url));
  return existsSync(path) ? new FileSealingStore(path) : undefined;
}
