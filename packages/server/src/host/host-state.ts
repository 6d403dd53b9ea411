import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';

const STATE_FILE = 'host-state.json';

/**
 * What a host remembers across its own restarts: per session, the highest input seq its runner
 * took. The relay sends an input again after a reconnect when it did not see the host take it;
 * an input at or below this seq is answered without reaching the runner a second time.
 *
 * Written whole, synchronously, after every input taken (write then rename): a host killed at
 * any moment finds either the old or the new state, never half of one.
 */
export class HostState {
  private readonly taken = new Map<string, number>();
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
      const parsed = JSON.parse(raw) as { taken?: Record<string, unknown> };
      for (const [id, seq] of Object.entries(parsed.taken ?? {}))
        if (typeof seq === 'number' && Number.isInteger(seq) && seq >= 0) this.taken.set(id, seq);
    } catch (err) {
      log.warn(`${this.file} is unreadable; starting with no taken inputs`, {
        error: (err as Error).message,
      });
    }
  }

  takenSeq(sessionId: string): number {
    return this.taken.get(sessionId) ?? 0;
  }

  /** The sessions this host took an input of. */
  sessions(): string[] {
    return [...this.taken.keys()];
  }

  markTaken(sessionId: string, seq: number): void {
    if (seq <= this.takenSeq(sessionId)) return;
    this.taken.set(sessionId, seq);
    this.save();
  }

  /** The session was deleted: nothing of it is kept. */
  forget(sessionId: string): void {
    if (this.taken.delete(sessionId)) this.save();
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ taken: Object.fromEntries(this.taken) }), {
        mode: 0o600,
      });
      renameSync(tmp, this.file);
    } catch (err) {
      // The input is taken either way; after a restart it may be taken once more (and a
      // forgotten session's entry comes back: it says nothing of the session but its id).
      this.log.warn('could not record the inputs taken', { error: (err as Error).message });
    }
  }
}
