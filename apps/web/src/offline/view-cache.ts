import type { LogEvent, SessionInfo } from '@baton/protocol';

/**
 * What this browser saved of the sessions it showed and of the sessions list, so an app
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

/** One saved view per session: `baton.saved.view.<session id>`. */
const VIEW_KEY_PREFIX = 'baton.saved.view.';
/** The sessions with a saved view, most recently saved first. */
const VIEWS_INDEX_KEY = 'baton.saved.views';
/** This window's last session (sessionStorage: per window, and kept across its reloads). */
const WINDOW_LAST_KEY = 'baton.window.session';
const LIST_KEY = 'baton.saved.sessions';
/** Keeps the saved view small: localStorage is a few MB shared by every use of the origin. */
const MAX_EVENTS = 400;
/** Views of this many sessions are kept; the least recently saved one goes first. */
const MAX_VIEWS = 8;

/**
 * Saves the view of one session. Views are kept per session (issue 11, bug 2: one shared slot
 * let a terminal window overwrite a chat window's view, which then showed nothing offline), and
 * the window remembers its own last session.
 */
export function saveSessionView(view: SavedSessionView): void {
  const events = view.events.length > MAX_EVENTS ? view.events.slice(-MAX_EVENTS) : view.events;
  const id = view.info.id;
  const index = [id, ...savedViewIds().filter((x) => x !== id)];
  for (const old of index.splice(MAX_VIEWS)) remove(VIEW_KEY_PREFIX + old);
  write(VIEW_KEY_PREFIX + id, { ...view, events });
  write(VIEWS_INDEX_KEY, index);
  rememberWindowSession(id);
}

/**
 * The saved view of `sessionId`; without one, the view of this window's last session, or else
 * the most recently saved view of any window.
 */
export function loadSessionView(sessionId?: string): SavedSessionView | undefined {
  if (sessionId !== undefined) return readView(sessionId);
  const own = windowSession();
  return (own !== undefined ? readView(own) : undefined) ?? firstView();
}

function firstView(): SavedSessionView | undefined {
  for (const id of savedViewIds()) {
    const view = readView(id);
    if (view) return view;
  }
  return undefined;
}

function readView(sessionId: string): SavedSessionView | undefined {
  const view = read<SavedSessionView>(VIEW_KEY_PREFIX + sessionId);
  if (!view?.info || !Array.isArray(view.events) || view.info.id !== sessionId) return undefined;
  return view;
}

function savedViewIds(): string[] {
  const ids = read<unknown>(VIEWS_INDEX_KEY);
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
}

function rememberWindowSession(sessionId: string): void {
  try {
    sessionStorage.setItem(WINDOW_LAST_KEY, sessionId);
  } catch {
    // Storage disabled: the window falls back to the most recent view of any window.
  }
}

function windowSession(): string | undefined {
  try {
    return sessionStorage.getItem(WINDOW_LAST_KEY) ?? undefined;
  } catch {
    return undefined;
  }
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

function remove(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // Storage disabled: nothing was saved.
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
