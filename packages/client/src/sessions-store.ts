import type { SessionId, SessionInfo, SessionsChangedMessage } from '@baton/protocol';
import { ObservableValue, type ExternalStore, type Listener } from './observable-value.js';

/**
 * The sessions list. `loaded` turns true after the first `sessions.watch` reply; the list is
 * replaced by each reply (on every connect) and then kept current by `sessions.changed`.
 */
export interface SessionsSnapshot {
  readonly loaded: boolean;
  /** Sessions in creation order. */
  readonly sessions: readonly SessionInfo[];
}

/** Every session on the server, kept current while the client is connected. */
export class SessionsStore implements ExternalStore<SessionsSnapshot> {
  readonly #value = new ObservableValue<SessionsSnapshot>({ loaded: false, sessions: [] });

  readonly subscribe = (listener: Listener): (() => void) => this.#value.subscribe(listener);
  readonly getSnapshot = (): SessionsSnapshot => this.#value.getSnapshot();

  /** One session by id, if listed. */
  get(sessionId: SessionId): SessionInfo | undefined {
    return this.getSnapshot().sessions.find((s) => s.id === sessionId);
  }

  /** Replaces the list with a `sessions.watch` reply. */
  replace(sessions: readonly SessionInfo[]): void {
    this.#value.set({ loaded: true, sessions: sortByCreation(sessions) });
  }

  /** Applies one `sessions.changed` frame (or a session returned by a request). */
  apply(change: SessionsChangedMessage): void {
    this.#value.update((current) => {
      if (change.change === 'remove') {
        if (!current.sessions.some((s) => s.id === change.sessionId)) return current;
        return { ...current, sessions: current.sessions.filter((s) => s.id !== change.sessionId) };
      }
      const others = current.sessions.filter((s) => s.id !== change.session.id);
      return { ...current, sessions: sortByCreation([...others, change.session]) };
    });
  }
}

function sortByCreation(sessions: readonly SessionInfo[]): readonly SessionInfo[] {
  return [...sessions].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}
