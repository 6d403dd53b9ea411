import { INPUT_ID_PATTERN } from '@baton/protocol';
import type { InputKey, Store } from '../storage/store.js';
import type { SessionLease } from '../storage/session-lease.js';

interface Ceiling {
  /** The lease it was read under: another owner may have stored ids since. */
  lease: SessionLease | undefined;
  /** At or above every input id stored for the session. */
  id: string;
}

/**
 * Which inputs of a commit batch could be stored already, so that the duplicate lookup asks the
 * store only about those.
 *
 * Per session it keeps a ceiling: an id at or above every input id stored for it, read from the
 * store once (`Store.inputIdCeiling`) and raised with every batch. Document write keys
 * (`doc/<writeId>`, documents/write-once-key.ts) are left out of it: they sort above every time
 * ordered id, so one document write would otherwise lift the ceiling above every later input for
 * good. They never equal an input id, and are always looked up. An input whose id is above the
 * ceiling cannot be stored yet, so it needs no lookup. The SDK's ids grow with time (UUID
 * version 7), so a fresh input is nearly always above it; a retry of a stored input never is,
 * and is looked up as before. Exactly-once rests on the ceiling never being below a stored id:
 * - it is raised before the commit, with every key of the batch, so a commit that fails or
 *   whose outcome is unknown leaves it high, never low;
 * - only this writer stores inputs for a session it owns, and flushes never overlap (LogWriter),
 *   so nothing is stored between the read and the raise;
 * - a ceiling read under another lease (a node took the session and gave it back) is read again;
 * - deleting inputs (a deleted session, compaction) only leaves it higher than it must be.
 * A store that cannot tell (undefined) gets every key looked up. What it saves depends on every
 * device of the session sending ids in time order: one stored id from a client that does not
 * (random UUIDs, an SDK from before version 7 ids) lifts the ceiling above the others' new ids,
 * and the session's inputs are then looked up as they were before the ceiling existed.
 */
export class InputIdCeilings {
  /** By the session's log state, which lives as long as the session is loaded. */
  private readonly known = new WeakMap<{ sessionId: string }, Ceiling>();

  constructor(private readonly store: Pick<Store, 'inputIdCeiling'>) {}

  /** The keys among `keys` that may be stored already (in their order). */
  async mayBeStored(
    log: { sessionId: string; lease?: SessionLease },
    keys: readonly InputKey[],
  ): Promise<InputKey[]> {
    let ceiling = this.known.get(log);
    if (ceiling === undefined || ceiling.lease !== log.lease) {
      const lease = log.lease;
      const id = await this.store.inputIdCeiling(log.sessionId);
      if (id === undefined) return [...keys];
      ceiling = { lease, id };
      this.known.set(log, ceiling);
    }
    const below = ceiling.id;
    let top = below;
    const unsure: InputKey[] = [];
    for (const key of keys) {
      // An id of the wire's characters (ASCII), for which JavaScript's `<` and SQLite's order
      // agree; other keys (a document write's, with its `/`) are outside the ceiling.
      if (key.inputId > below && INPUT_ID_PATTERN.test(key.inputId)) {
        if (key.inputId > top) top = key.inputId;
      } else unsure.push(key);
    }
    // Raised now, before the commit: see the class comment.
    ceiling.id = top;
    return unsure;
  }
}
