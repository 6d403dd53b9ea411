import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatonError } from '../baton-error.js';
import type { Peer } from '../hub/peer.js';
import type { SessionHub } from '../hub/session-hub.js';
import { dispatch, type DispatchContext } from './dispatch.js';

test('an error that says when to retry (a full disk) reaches the client with retryAfterMs', async () => {
  const errors: unknown[] = [];
  const hub = {
    submitInput: () =>
      Promise.reject(new BatonError('unavailable', 'the store cannot write', 1000)),
  } as unknown as SessionHub;
  const peer = {
    connectionId: 'c_1',
    deviceId: 'd_1',
    send: () => assert.fail('no ack for a refused input'),
  } as unknown as Peer;
  const ctx: DispatchContext = {
    hub,
    peer,
    attached: new Map(),
    audit: {
      record: () => assert.fail('a refused input is not audited'),
      recordInput: () => assert.fail('a refused input is not audited'),
    } as unknown as DispatchContext['audit'],
    check: () => 'editor',
    reply: () => assert.fail('inputs get no reply'),
    setVisible: () => assert.fail('no visibility change'),
    error: (fields, code, message, retryAfterMs) =>
      errors.push({ ...fields, code, message, retryAfterMs }),
  };
  await dispatch(ctx, {
    type: 'input',
    sessionId: 's_1',
    inputId: 'i1',
    payload: { kind: 'terminal', data: 'x' },
  });
  assert.deepEqual(errors, [
    {
      sessionId: 's_1',
      inputId: 'i1',
      code: 'unavailable',
      message: 'the store cannot write',
      retryAfterMs: 1000,
    },
  ]);
});
