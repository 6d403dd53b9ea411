import type { LogEvent, RunnerSnapshot, SessionKind } from '@baton/protocol';

/**
 * A session's materialized state, derived only from its committed log. The hub applies every
 * committed event to the projection in sequence order, right after the commit, so
 * `snapshot()` always describes exactly the events up to the last one applied. That is what
 * lets a late joiner receive "snapshot at seq S, then events S+1…" with no gap or overlap, and
 * what lets retention drop events at or below S.
 *
 * After a server restart the projection is rebuilt from the latest stored snapshot (`restore`)
 * plus the events after it.
 */
export interface Projection {
  /** Apply one committed event. Called in strict sequence order, once per event. */
  apply(event: LogEvent): void;
  /**
   * The state after the events applied so far, with the seq of the last event it includes
   * (events applied while an asynchronous snapshot is in progress may or may not be included; the
   * returned `seq` says exactly which). Implementations must not block the event loop for long
   * (terminal serialization runs off the main thread or in slices).
   */
  snapshot(): Promise<{ seq: number; state: RunnerSnapshot }>;
  /**
   * The same snapshot as UTF-8 JSON, for a projection whose state is too large to encode on each
   * call (an agent's conversation): late joiners, checkpoints and the sync route send or store
   * the bytes as they are. Without it, `snapshotJsonOf` encodes `snapshot()`.
   */
  snapshotJson?(): Promise<SnapshotJson>;
  /** Replace the state with a stored snapshot taken at `seq` (before applying events after it). */
  restore(seq: number, state: RunnerSnapshot): void;
  /** Release resources (headless terminals, workers). */
  dispose(): void;
}

/**
 * A snapshot's state, the JSON of a `RunnerSnapshot` in UTF-8, and the seq it is at. The JSON is
 * `parts` one after another: a large state is sent or stored with one copy, never joined first.
 */
export interface SnapshotJson {
  seq: number;
  parts: readonly Buffer[];
}

/** The projection's snapshot as JSON: its own when it keeps one, else `snapshot()` encoded. */
export async function snapshotJsonOf(projection: Projection): Promise<SnapshotJson> {
  if (projection.snapshotJson) return projection.snapshotJson();
  const { seq, state } = await projection.snapshot();
  return { seq, parts: [Buffer.from(JSON.stringify(state))] };
}

export interface ProjectionFactory {
  readonly kinds: readonly SessionKind[];
  create(init: { cols: number; rows: number }): Projection;
}
