import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectedClient, startTestServer, tempDataDir, waitFor } from './testing/test-server.js';

/** Integration: real server, real PTY, real SQLite. */

test('a terminal view that lost output it never showed gets the screen back with resync', async (t) => {
  const server = await startTestServer(tempDataDir(t));
  t.after(() => server.close());
  const client = await connectedClient(t, server, {
    retention: { terminal: { events: 5, chars: 1_000_000 } },
  });
  const shell = await client.createSession({
    kind: 'terminal',
    config: {
      shell: '/bin/sh',
      // One line every 10 ms: each is its own output event (output is batched every 5 ms).
      args: ['-c', 'for i in $(seq 1 300); do echo "line $i"; sleep 0.01; done; exec sleep 100000'],
    },
  });
  const store = client.subscribe(shell.id);
  await waitFor(
    'all the output',
    () =>
      store
        .eventsAfter(store.lastSeq - 5)
        ?.some((e) => e.type === 'terminal.output' && e.data.data.includes('line 300')) ?? false,
    60_000,
  );
  assert.ok(store.heldCount <= 5);
  assert.equal(store.eventsAfter(0), undefined, 'the start is no longer held');

  const head = store.lastSeq;
  store.resync();
  await waitFor('the screen as a snapshot', () => store.base !== undefined, 20_000);
  const runner = store.base?.state?.runner;
  assert.ok(runner?.kind === 'terminal', 'a terminal snapshot');
  assert.match(runner.screen, /line 300/);
  assert.ok(store.lastSeq >= head - 1);
  assert.deepEqual(
    store.eventsAfter(store.base?.seq ?? 0)?.length,
    store.lastSeq - store.base!.seq,
  );
});
