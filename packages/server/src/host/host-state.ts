import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';

const STATE_FILE = 'host-state.json';

/**
 * What a host remembers across its own restarts: per session, the highest input seq its runner
 * took. The relay sends an input again after a reconnect when it did not see the host take it;
 * an input at or below this seq is answered without reaching the runner a second time. And per
 * session, the pairing that started it (a digest of the host's credential then): only those of
 * the current pairing are named to the relay as `kept`, so a relay can make the host forget
 * only sessions it started itself, never those of an earlier pairing (another relay's).
 *
 * Written whole, synchronously, after every input taken (write then rename): a host killed at
 * any moment finds either the old or the new state, never half of one.
 */
export class HostState {
  private readonly taken = new Map<string, number>();
  private readonly pairings = new Map<string, string>();
  /** Deleted while this host runs: an input its runner finishes after that is not recorded. */
  private readonly forgotten = new Set<string>();
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.file = join(dataDir, STATE_FILE);
    let raw: string;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    try {
      const parsed = JSON.parse(raw) as {
        taken?: Record<string, unknown>;
        pairings?: Record<string, unknown>;
      };
      for (const [id, seq] of Object.entries(parsed.taken ?? {}))
        if (typeof seq === 'number' && Number.isInteger(seq) && seq >= 0) this.taken.set(id, seq);
      for (const [id, pairing] of Object.entries(parsed.pairings ?? {}))
        if (typeof pairing === 'string') this.pairings.set(id, pairing);
    } catch (err) {
      log.warn(`${this.file} is unreadable; starting with no taken inputs`, {
        error: (err as Error).message,
      });
    }
  }

  takenSeq(sessionId: string): number {
    return this.taken.get(sessionId) ?? 0;
  }

  /** The relay started the session under `pairing` (see `pairingOf`). */
  started(sessionId: string, pairing: string): void {
    if (this.forgotten.has(sessionId) || this.pairings.get(sessionId) === pairing) return;
    this.pairings.set(sessionId, pairing);
    this.save();
  }

  /** Deleted (`forget`) while this host runs: it is never started again. */
  isForgotten(sessionId: string): boolean {
    return this.forgotten.has(sessionId);
  }

  startedUnder(sessionId: string, pairing: string): boolean {
    return this.pairings.get(sessionId) === pairing;
  }

  /** The sessions started under `pairing`. */
  sessionsOf(pairing: string): string[] {
    return [...this.pairings].filter(([, p]) => p === pairing).map(([id]) => id);
  }

  markTaken(sessionId: string, seq: number): void {
    if (this.forgotten.has(sessionId) || seq <= this.takenSeq(sessionId)) return;
    this.taken.set(sessionId, seq);
    this.save();
  }

  /** The session was deleted: nothing of it is kept, nor recorded again. */
  forget(sessionId: string): void {
    this.forgotten.add(sessionId);
    const had = this.taken.delete(sessionId);
    if (this.pairings.delete(sessionId) || had) this.save();
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    try {
      const state = {
        taken: Object.fromEntries(this.taken),
        pairings: Object.fromEntries(this.pairings),
      };
      writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      // The input is taken either way; after a restart it may be taken once more.
      this.log.warn('could not record the host’s state', { error: (err as Error).message });
    }
  }
}

/** A session's pairing in `host-state.json`: a digest of the host's credential, not the credential. */
export function pairingOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22);
}
