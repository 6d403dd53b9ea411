import { type SessionKey } from './session-key.js';

/**
 * The session keys one party holds: for each session, every key epoch it was given. The newest
 * epoch seals; older ones only open history sealed before a rotation. A host's ring holds every
 * epoch of its sessions; a device's ring holds the epochs wrapped to it, so a device revoked at
 * a rotation never gains the new epoch and opens nothing sealed after it.
 */
export class KeyRing {
  readonly #sessions = new Map<string, Map<number, SessionKey>>();

  add(key: SessionKey): void {
    let epochs = this.#sessions.get(key.sessionId);
    if (!epochs) this.#sessions.set(key.sessionId, (epochs = new Map()));
    epochs.set(key.epoch, key);
  }

  get(sessionId: string, epoch: number): SessionKey | undefined {
    return this.#sessions.get(sessionId)?.get(epoch);
  }

  /** The key new envelopes are sealed under: the highest epoch held. */
  current(sessionId: string): SessionKey | undefined {
    const epochs = this.#sessions.get(sessionId);
    if (!epochs || epochs.size === 0) return undefined;
    return epochs.get(Math.max(...epochs.keys()));
  }

  epochs(sessionId: string): number[] {
    return [...(this.#sessions.get(sessionId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  sessions(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Forgets a session's keys (the session was deleted, or this device lost access to it). */
  drop(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }
}
