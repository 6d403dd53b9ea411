import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPrivateJson } from './private-file.js';

/** The file `baton host pair` writes and the running `baton host` reads (mode 0600). */
export const PENDING_PAIRINGS_FILE = 'pending-pairings.json';

export interface PendingPairing {
  /** The relay's pairing code the device redeems. */
  code: string;
  /** The one-time pairing secret of the link's fragment (base64url). */
  secret: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/**
 * Pairing secrets waiting for their device's introduction. Read from the file at every use:
 * `baton host pair` adds to it while the host runs (two processes, one file, each write whole
 * then renamed into place).
 */
export class PendingPairings {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, PENDING_PAIRINGS_FILE);
  }

  list(now = Date.now()): PendingPairing[] {
    const all = readPrivateJson<unknown>(this.file);
    if (!Array.isArray(all)) return [];
    return all.filter(
      (p): p is PendingPairing =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as PendingPairing).code === 'string' &&
        typeof (p as PendingPairing).secret === 'string' &&
        typeof (p as PendingPairing).expiresAt === 'number' &&
        (p as PendingPairing).expiresAt > now,
    );
  }

  secretOf(code: string): string | undefined {
    return this.list().find((p) => p.code === code)?.secret;
  }

  add(pairing: PendingPairing): void {
    this.write([...this.list().filter((p) => p.code !== pairing.code), pairing]);
  }

  remove(code: string): void {
    this.write(this.list().filter((p) => p.code !== code));
  }

  private write(pairings: PendingPairing[]): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(pairings), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
