import type { DeviceListing } from '@baton/protocol';
import type { ApiCall } from './api-context.js';

const STORAGE_KEY = 'baton.device-names.v1';
/** At most this many names are kept for offline use (a server has far fewer devices). */
const MAX_SAVED = 500;

/**
 * Every device's name by id, for showing who wrote, stopped or answered something even after
 * that device left the session or was revoked. Read from `GET /api/devices`, which every
 * signed-in device may read (viewers and devices paired for one session too) and which lists
 * revoked devices with their last name. Kept in localStorage, so an offline window still names
 * authors; anything there that does not parse is ignored and replaced on the next read.
 *
 * Invariant: at most one request is in flight; a `refresh()` asked for meanwhile is run once
 * after it, so the names are never older than the last call to `refresh()`.
 */
export class DeviceDirectory {
  #names: ReadonlyMap<string, string>;
  readonly #listeners = new Set<() => void>();
  #inFlight = false;
  #again = false;
  /** Ids asked for by `want` that the last read did not have: not asked for again. */
  readonly #missing = new Set<string>();

  constructor(private readonly api: ApiCall) {
    this.#names = loadSaved();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getSnapshot = (): ReadonlyMap<string, string> => this.#names;

  /** Reads the directory again (after a join, a leave, a rename). */
  refresh(): void {
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#inFlight = true;
    this.api<{ devices: DeviceListing[] }>('GET', '/api/devices').then(
      (r) => {
        this.#set(new Map(r.devices.map((d) => [d.id, d.name])));
        this.#done();
      },
      // Offline or refused: the names held stay; the next refresh tries again.
      () => this.#done(),
    );
  }

  /** Asks for `deviceId`'s name: reads the directory again unless it already did without it. */
  want(deviceId: string): void {
    if (this.#names.has(deviceId) || this.#missing.has(deviceId)) return;
    this.#missing.add(deviceId);
    this.refresh();
  }

  #done(): void {
    this.#inFlight = false;
    if (this.#again) {
      this.#again = false;
      this.refresh();
    }
  }

  #set(names: ReadonlyMap<string, string>): void {
    const same =
      names.size === this.#names.size &&
      [...names].every(([id, name]) => this.#names.get(id) === name);
    if (same) return;
    this.#names = names;
    for (const id of names.keys()) this.#missing.delete(id);
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify([...names].slice(0, MAX_SAVED)));
    } catch {
      // Storage full or refused: the names still serve this window.
    }
    for (const listener of [...this.#listeners]) listener();
  }
}

function loadSaved(): ReadonlyMap<string, string> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    if (!Array.isArray(value)) return new Map();
    return new Map(
      value.filter(
        (e): e is [string, string] =>
          Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string',
      ),
    );
  } catch {
    return new Map();
  }
}
