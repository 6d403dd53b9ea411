import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogEvent, SessionId, SessionInfo } from '@baton/protocol';
import { FakeClock } from './testing/fake-clock.js';
import { MemoryOutboxStorage } from './outbox-storage.js';
import { Outbox } from './outbox.js';
import { SessionStore } from './session-store.js';
import { TERMINAL_WINDOW } from './session-log.js';

/** Unit: one store fed frames in-process; the connection is never used by these tests. */

const S = 's_aaaaaaaaaaaaaaaaaaaa' as SessionId;

function terminalInfo(): SessionInfo {
  return {
    id: S,
    name: 'shell',
    kind: 'terminal',
    status: 'running',
    createdAt: 1,
    lastActivityAt: 1,
    headSeq: 0,
    config: {},
    attached: [],
    attachedCount: 0,
  } as unknown as SessionInfo;
}

function storeFor(): SessionStore {
  const outbox = new Outbox(
    new MemoryOutboxStorage(),
    { canSend: () => false, send: () => false },
    new FakeClock(),
    () => {},
  );
  const store = new SessionStore(S, false, {
    connection: { request: () => new Promise(() => {}) },
    outbox,
    onApplied: () => {},
    onSnapshot: () => {},
    onLive: () => {},
    onError: () => {},
  });
  store.handleInfo(terminalInfo());
  return store;
}

function output(seq: number): LogEvent {
  return { seq, ts: seq, type: 'terminal.output', data: { data: `line ${seq}\r\n` } };
}

function keystroke(seq: number): LogEvent {
  return {
    seq,
    ts: seq,
    type: 'input',
    data: { inputId: `k${seq}`, deviceId: 'd', payload: { kind: 'terminal', data: 'x' } },
  };
}

test('a terminal store holds a bounded tail however many events pass through it', () => {
  const store = storeFor();
  let notified = 0;
  store.subscribe(() => notified++);
  const total = 200_000;
  for (let seq = 1; seq <= total; seq++) {
    store.handleEvent(seq % 10 === 0 ? keystroke(seq) : output(seq));
    // What React does on every change: read the snapshot.
    store.getSnapshot();
  }
  const snapshot = store.getSnapshot();
  assert.equal(snapshot.lastSeq, total);
  assert.ok(notified >= total);
  assert.ok(store.heldCount <= TERMINAL_WINDOW.events, `${store.heldCount} events held`);
  assert.equal(snapshot.events.length, store.heldCount);
  assert.equal(snapshot.truncated, true);
  assert.equal(snapshot.firstSeq, total - store.heldCount + 1);
  assert.deepEqual(
    store.eventsAfter(total - 2)?.map((e) => e.seq),
    [total - 1, total],
  );
  assert.equal(store.eventsAfter(0), undefined, 'the start is no longer held');
});

test('a snapshot keeps its events although the log moves on', () => {
  const store = storeFor();
  for (let seq = 1; seq <= 5; seq++) store.handleEvent(output(seq));
  const before = store.getSnapshot();
  assert.equal(store.getSnapshot(), before, 'unchanged store, same snapshot');
  store.handleEvent(output(6));
  const after = store.getSnapshot();
  assert.notEqual(after, before);
  assert.deepEqual(
    before.events.map((e) => e.seq),
    [1, 2, 3, 4, 5],
  );
  assert.deepEqual(
    after.events.map((e) => e.seq),
    [1, 2, 3, 4, 5, 6],
  );
  assert.equal(after.events, after.events, 'events is built once per snapshot');
});
