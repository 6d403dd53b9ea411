import type { LogEvent, SessionInfo } from '@baton/protocol';

/**
 * What this browser saved of the last session it showed and of the sessions list, so an app
 * opened without the server (offline, or the server down) can show the last known view, clearly
 * marked as saved. It is a display cache only: nothing here is ever sent or merged into a live
 * view, which always comes from the server's log.
 */
export interface SavedSessionView {
  readonly savedAt: number;
  readonly info: SessionInfo;
  /** Agent sessions: the conversation's events (the tail, when long). */
  readonly events: readonly LogEvent[];
  /** Terminal sessions: the screen's text, line by line. */
  readonly terminalText?: string;
}

export interface SavedSessionsList {
  readonly savedAt: number;
  readonly sessions: readonly SessionInfo[];
}

const VIEW_KEY = 'baton.saved.view';
const LIST_KEY = 'baton.saved.sessions';
/** Keeps the saved view small: localStorage is a few MB shared by every use of the origin. */
const MAX_EVENTS = 400;

export function saveSessionView(view: SavedSessionView): void {
  const events = view.events.length > MAX_EVENTS ? view.events.slice(-MAX_EVENTS) : view.events;
  write(VIEW_KEY, { ...view, events });
}

/** The saved view of `sessionId`, if the last session saved was that one. */
export function loadSessionView(sessionId?: string): SavedSessionView | undefined {
  const view = read<SavedSessionView>(VIEW_KEY);
  if (!view?.info || !Array.isArray(view.events)) return undefined;
  if (sessionId !== undefined && view.info.id !== sessionId) return undefined;
  return view;
}

export function saveSessionsList(sessions: readonly SessionInfo[]): void {
  write(LIST_KEY, { savedAt: Date.now(), sessions });
}

export function loadSessionsList(): SavedSessionsList | undefined {
  const list = read<SavedSessionsList>(LIST_KEY);
  return list && Array.isArray(list.sessions) ? list : undefined;
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the offline view is a convenience, the live app works without it.
  }
}

function read<T>(key: string): T | undefined {
  try {
    const text = localStorage.getItem(key);
    return text === null ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}
