import type { LogEvent, SessionInfo } from '@baton/protocol';
import { rowKey, rowsOf, transact } from './indexed-db.js';
import { logSkipped } from './storage-log.js';

/**
 * What this browser saved of the sessions it showed and of the sessions list, so an app
 * opened without the server (offline, or the server down) can show the last known view, clearly
 * marked as saved. It is a display cache only: nothing here is ever sent or merged into a live
 * view, which always comes from the server's log.
 *
 * Kept in IndexedDB (store `views`), shared by the profile's windows. `loadViewCache` reads it
 * once when the window starts (before the app renders, so the first render already has it) into
 * memory; reads are then synchronous, and saves update memory and write through. Views earlier
 * builds kept in localStorage are carried over on that first read. Without IndexedDB the cache
 * lives in memory only: the live app works without it.
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

/** Rows of the `views` store: one per session, and the list. */
const SCOPE = 'views';
const LIST_ID = '#list';
/** This window's last session (sessionStorage: per window, and kept across its reloads). */
const WINDOW_LAST_KEY = 'baton.window.session';
/** Where earlier builds kept them (carried over, then removed). */
const LEGACY_VIEW_PREFIX = 'baton.saved.view.';
const LEGACY_KEYS = ['baton.saved.views', 'baton.saved.sessions'];
/** The conversation's tail kept per session. */
const MAX_EVENTS = 1000;
/** Views of this many sessions are kept; the least recently saved one goes first. */
const MAX_VIEWS = 8;

const views = new Map<string, SavedSessionView>();
let list: SavedSessionsList | undefined;
let persistent = false;
let loading: Promise<void> | undefined;

/**
 * Reads the saved views into memory, once per window. Never rejects: a cache that cannot be read
 * (IndexedDB refused, a corrupt row) leaves the window with what it could read, and a log line.
 */
export function loadViewCache(): Promise<void> {
  loading ??= (async () => {
    try {
      await migrateFromLocalStorage();
      for (const row of await rowsOf('views', SCOPE)) {
        if (row.key === rowKey(SCOPE, LIST_ID)) {
          if (isList(row.value)) list = row.value;
          else logSkipped('the saved views', 'a sessions list that does not read');
        } else if (isView(row.value) && row.key === rowKey(SCOPE, row.value.info.id)) {
          views.set(row.value.info.id, row.value);
        } else {
          logSkipped('the saved views', `an entry that is not a session view (${row.key})`);
        }
      }
      persistent = true;
    } catch (error) {
      logSkipped(
        'IndexedDB',
        `the saved views (${String(error)}); this window keeps them in memory`,
      );
    }
  })();
  return loading;
}

/**
 * Saves the view of one session. Views are kept per session (issue 11, bug 2: one shared slot
 * let a terminal window overwrite a chat window's view, which then showed nothing offline), and
 * the window remembers its own last session.
 */
export function saveSessionView(view: SavedSessionView): void {
  const events = view.events.length > MAX_EVENTS ? view.events.slice(-MAX_EVENTS) : view.events;
  const saved = { ...view, events };
  views.set(view.info.id, saved);
  const dropped = [...views.values()]
    .sort((a, b) => b.savedAt - a.savedAt)
    .slice(MAX_VIEWS)
    .map((v) => v.info.id);
  for (const id of dropped) views.delete(id);
  persist((store) => {
    store.put({ key: rowKey(SCOPE, saved.info.id), scope: SCOPE, value: saved });
    for (const id of dropped) store.delete(rowKey(SCOPE, id));
  });
  rememberWindowSession(view.info.id);
}

/**
 * The saved view of `sessionId`; without one, the view of this window's last session, or else
 * the most recently saved view of any window.
 */
export function loadSessionView(sessionId?: string): SavedSessionView | undefined {
  if (sessionId !== undefined) return views.get(sessionId);
  const own = windowSession();
  return (own !== undefined ? views.get(own) : undefined) ?? firstView();
}

function firstView(): SavedSessionView | undefined {
  let newest: SavedSessionView | undefined;
  for (const view of views.values()) if (!newest || view.savedAt > newest.savedAt) newest = view;
  return newest;
}

export function saveSessionsList(sessions: readonly SessionInfo[]): void {
  const saved = { savedAt: Date.now(), sessions };
  list = saved;
  persist((store) => store.put({ key: rowKey(SCOPE, LIST_ID), scope: SCOPE, value: saved }));
}

export function loadSessionsList(): SavedSessionsList | undefined {
  return list;
}

function persist(work: (store: IDBObjectStore) => void): void {
  if (!persistent) return;
  transact('views', 'readwrite', work).catch((error: unknown) => {
    // Storage full or gone: the offline view is a convenience, the live app works without it.
    logSkipped('IndexedDB', `saving a view (${String(error)})`);
  });
}

/** Moves the views earlier builds saved in localStorage into IndexedDB, then removes them. */
async function migrateFromLocalStorage(): Promise<void> {
  let keys: string[];
  try {
    keys = Object.keys(localStorage).filter(
      (key) => key.startsWith(LEGACY_VIEW_PREFIX) || LEGACY_KEYS.includes(key),
    );
  } catch {
    return;
  }
  if (keys.length === 0) return;
  const rows: { key: string; scope: string; value: unknown }[] = [];
  for (const key of keys) {
    const value = readLegacy(key);
    if (key === 'baton.saved.sessions' && isList(value))
      rows.push({ key: rowKey(SCOPE, LIST_ID), scope: SCOPE, value });
    else if (key.startsWith(LEGACY_VIEW_PREFIX) && isView(value))
      rows.push({ key: rowKey(SCOPE, value.info.id), scope: SCOPE, value });
    else if (key !== 'baton.saved.views') logSkipped('localStorage', `a saved view (${key})`);
  }
  await transact('views', 'readwrite', (store) => {
    for (const row of rows) store.put(row);
  });
  // Committed: the copies in localStorage can go.
  for (const key of keys) localStorage.removeItem(key);
}

function readLegacy(key: string): unknown {
  try {
    const text = localStorage.getItem(key);
    return text === null ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function isView(value: unknown): value is SavedSessionView {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<SavedSessionView>;
  return (
    typeof v.savedAt === 'number' &&
    typeof v.info === 'object' &&
    v.info !== null &&
    typeof v.info.id === 'string' &&
    Array.isArray(v.events)
  );
}

function isList(value: unknown): value is SavedSessionsList {
  if (typeof value !== 'object' || value === null) return false;
  const l = value as Partial<SavedSessionsList>;
  return typeof l.savedAt === 'number' && Array.isArray(l.sessions);
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
