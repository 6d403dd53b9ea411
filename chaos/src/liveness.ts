import type { ChaosClient } from './chaos-client.js';
import type { ServerControl } from './server-control.js';

export interface LivenessResult {
  ok: boolean;
  line: string;
}

/** The head of a session's log, as the server reports it. */
async function headOf(server: ServerControl, sessionId: string): Promise<number> {
  const page = await server.api<{ headSeq: number }>(
    'GET',
    `/api/sessions/${sessionId}/events?after=0&limit=1`,
  );
  return page.headSeq;
}

/**
 * Liveness: once the faults have healed, every subscriber of every client must reach the head of
 * its session's log (read once, now) within `boundMs`. Safety (nothing lost, duplicated or
 * reordered) says nothing about a client that silently stopped receiving; this does.
 */
export async function awaitLiveness(
  server: ServerControl,
  sessions: readonly string[],
  clients: readonly ChaosClient[],
  boundMs: number,
): Promise<LivenessResult> {
  const heads = new Map<string, number>();
  for (const id of sessions) heads.set(id, await headOf(server, id));
  const started = Date.now();
  const behind = () => clients.filter((c) => c.position < (heads.get(c.sessionId) ?? 0));
  while (behind().length > 0 && Date.now() - started < boundMs) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const elapsed = Date.now() - started;
  const late = behind();
  if (late.length === 0) {
    return {
      ok: true,
      line: `liveness: all ${clients.length} clients reached the head (${[...heads.values()].join(', ')}) ${elapsed} ms after the faults healed (bound ${boundMs} ms)`,
    };
  }
  return {
    ok: false,
    line:
      `liveness FAILED: ${late.length} of ${clients.length} clients did not reach the head within ${boundMs} ms after the faults healed: ` +
      late
        .slice(0, 5)
        .map((c) => `${c.name} at ${c.position} of ${heads.get(c.sessionId) ?? 0}`)
        .join(', '),
  };
}
