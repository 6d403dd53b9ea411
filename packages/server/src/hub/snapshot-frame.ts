import type { SessionInfo, SnapshotReason } from '@baton/protocol';

const CLOSE = Buffer.from('}');

/**
 * A snapshot's `state`, `{ session, runner }`, as UTF-8 JSON in parts: the runner's state is the
 * projection's own bytes (never decoded and encoded again: an agent's conversation can be tens
 * of megabytes).
 */
export function snapshotStateJson(session: SessionInfo, runner: readonly Buffer[]): Buffer[] {
  return [Buffer.from(`{"session":${JSON.stringify(session)},"runner":`), ...runner, CLOSE];
}

/** A `snapshot` frame around a state from `snapshotStateJson`, in one buffer. */
export function snapshotFrame(
  fields: { sessionId: string; seq: number; epoch: string; reason: SnapshotReason },
  state: readonly Buffer[],
): Buffer {
  const head = JSON.stringify({ type: 'snapshot', ...fields }).slice(0, -1);
  return Buffer.concat([Buffer.from(`${head},"state":`), ...state, CLOSE]);
}
