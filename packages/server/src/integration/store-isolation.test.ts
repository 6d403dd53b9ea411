import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatonError } from '../baton-error.js';
import { QUIET_TERMINAL, startTestServer } from '../testing/test-server.js';

test('deleting session A in the same tick as an input to session B: B is stored and acknowledged', async () => {
  const server = await startTestServer();
  try {
    const a = await server.hub.create('terminal', 'a', QUIET_TERMINAL);
    const b = await server.hub.create('terminal', 'b', QUIET_TERMINAL);
    await server.hub.stop(a.id);
    const actor = { deviceId: 'owner' };
    // All three in one tick: the rename of A and the input to B share one group commit, and A's
    // row is deleted before that commit runs.
    const renamed = server.hub.rename(a.id, 'renamed');
    const input = server.hub.submitInput(b.id, actor, 'in-1', { kind: 'terminal', data: 'x' });
    const deleted = server.hub.delete(a.id);
    // Heard from now on: the refusal comes before the delete has removed A's folder.
    const renameRefused = assert.rejects(renamed, (err: unknown) => {
      assert.ok(err instanceof BatonError);
      assert.equal(err.code, 'not_found');
      return true;
    });
    await deleted;
    await renameRefused;
    const ack = await input;
    assert.equal(ack.duplicate, false);
    const stored = await server.hub.get(b.id).readCommitted(0, 100);
    const inputEvent = stored.events.find((e) => e.type === 'input');
    assert.equal(inputEvent?.seq, ack.seq, "B's input is stored at the acknowledged seq");
    // B goes on normally afterwards.
    const next = await server.hub.submitInput(b.id, actor, 'in-2', { kind: 'terminal', data: 'y' });
    // Only the terminal's echo (of input typed before its `stty -echo` ran) may sit between the two.
    const after = await server.hub.get(b.id).readCommitted(ack.seq, 100);
    assert.deepEqual(
      after.events.filter((e) => e.seq <= next.seq).map((e) => e.type === 'input'),
      [...Array<boolean>(next.seq - ack.seq - 1).fill(false), true],
      'the next input right after it, with no gap',
    );
  } finally {
    await server.stop();
  }
});
