import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ChaosClient } from './chaos-client.js';
import { awaitLiveness } from './liveness.js';
import { ServerControl } from './server-control.js';

/** A client whose position the test sets; liveness reads nothing else. */
function client(name: string, sessionId: string, position: () => number): ChaosClient {
  return {
    name,
    sessionId,
    done: true,
    acked: 0,
    rejected: 0,
    unexpectedErrors: [],
    connects: 1,
    get position() {
      return position();
    },
    start: () => undefined,
    stop: () => undefined,
    result: () => ({ client: name, sessionId, submitted: [], acks: [], segments: [] }),
  };
}

test('liveness passes once every subscriber holds the head, and fails for one that stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-liveness-'));
  const server = await ServerControl.create(dir);
  try {
    await server.start();
    const { session } = await server.api<{ session: { id: string } }>('POST', '/api/sessions', {
      kind: 'claude',
      name: 'liveness',
    });
    for (let i = 1; i <= 3; i++) {
      await server.api('POST', `/api/sessions/${session.id}/inputs`, {
        inputId: `in-${i}`,
        payload: { kind: 'message', text: `hello ${i}` },
      });
    }
    const { headSeq } = await server.api<{ headSeq: number }>(
      'GET',
      `/api/sessions/${session.id}/events?after=0&limit=1`,
    );
    assert.ok(headSeq >= 3);

    // One subscriber catches up a little later: liveness waits for it.
    let catching = headSeq - 2;
    const timer = setInterval(() => (catching = Math.min(headSeq, catching + 1)), 20);
    const ok = await awaitLiveness(
      server,
      [session.id],
      [client('a', session.id, () => headSeq), client('b', session.id, () => catching)],
      10_000,
    );
    clearInterval(timer);
    assert.equal(ok.ok, true, ok.line);

    // One subscriber stopped one event short of the head: it fails, by name.
    const stuck = await awaitLiveness(
      server,
      [session.id],
      [client('a', session.id, () => headSeq), client('stuck', session.id, () => headSeq - 1)],
      300,
    );
    assert.equal(stuck.ok, false);
    assert.match(stuck.line, new RegExp(`stuck at ${headSeq - 1} of ${headSeq}`));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
