import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { LANED_COUNTER_FROM, generateDeviceIdentity, sealEnvelope } from '@baton/seal';
import type { LogEvent, ReceivedLogEvent } from '@baton/protocol';
import { BatonClient } from '../baton-client.js';
import type { BatonError } from '../baton-error.js';
import type { HttpFetch } from '../http-json.js';
import { FakeClock } from '../testing/fake-clock.js';
import { FakeSocket } from '../testing/fake-socket.js';
import { SealingHost } from '../testing/sealing-host.js';
import { VERIFY_FAILED } from './client-sealing.js';
import { MemorySealingStore } from './memory-sealing-store.js';
import { waitForValue } from '../testing/wait-for-value.js';

/**
 * BatonClient with the sealing option, against a relay played by hand (FakeSocket) and a host
 * played with real crypto: the app sees plaintext, and each of a dishonest relay's tricks leaves
 * a diagnostic, never content. The crypto is real; only the transport is in memory.
 */

const S = 's_aaaaaaaaaaaaaaaaaaaa';
const S2 = 's_bbbbbbbbbbbbbbbbbbbb';
const encoder = new TextEncoder();

beforeEach(() => FakeSocket.reset());

function info(id = S) {
  return {
    id,
    name: 'sh',
    kind: 'terminal' as const,
    status: 'running' as const,
    createdAt: 1,
    lastActivityAt: 1,
    headSeq: 0,
    epoch: 'e_1',
    config: {},
    attached: [],
    attachedCount: 0,
    sealed: { hostId: 'h_host', keyEpoch: 1 },
  };
}

const waitFor = waitForValue;

async function setup() {
  const host = await SealingHost.make();
  const me = await generateDeviceIdentity('d_me');
  const other = await generateDeviceIdentity('d_other');
  host.registry.add(me.publicKeys);
  host.registry.add(other.publicKeys);
  await host.publish();
  await host.startSession(S);
  await host.startSession(S2);
  const store = new MemorySealingStore();
  await store.saveIdentity(me);
  await store.pinHost(host.identity.publicKeys);
  const keyRequests: string[] = [];
  // The relay's GET /api/sessions/{id}/keys, answered with what the host published.
  const fetch: HttpFetch = (url) => {
    keyRequests.push(url);
    return Promise.resolve({
      ok: true,
      status: 200,
      text: () => Promise.resolve(JSON.stringify(host.keysFor('d_me'))),
    });
  };
  const clock = new FakeClock();
  const client = new BatonClient({
    url: 'ws://relay/v1/ws',
    token: 't',
    mode: 'cli',
    WebSocket: FakeSocket,
    clock,
    sealing: { store, fetch },
  });
  const errors: BatonError[] = [];
  client.on('error', (e) => errors.push(e));
  client.connect();
  return { host, me, other, client, clock, errors, keyRequests };
}

function connect(): FakeSocket {
  const socket = FakeSocket.last;
  socket.handshake();
  for (const frame of socket.sentOf('sessions.watch')) {
    socket.receive({ type: 'reply', rid: frame['rid'], result: { sessions: [info()] } });
  }
  return socket;
}

function answerSubscribes(socket: FakeSocket): void {
  for (const frame of socket.sentOf('subscribe')) {
    socket.receive({
      type: 'reply',
      rid: frame['rid'],
      result: { session: info(), headSeq: 0, epoch: 'e_1' },
    });
  }
}

const output = (events: readonly LogEvent[]) =>
  events.flatMap((e) => (e.type === 'terminal.output' ? [e.data.data] : []));

test('the app sees plaintext; a replayed, tampered, moved, misattributed or clear event is never shown', async () => {
  const { host, other, client, errors } = await setup();
  const view = client.subscribe(S);
  const socket = connect();
  await waitFor(() => socket.sentOf('subscribe').length > 0, 'subscribe');
  answerSubscribes(socket);

  const [first, second] = await host.sealOut(S, [
    { type: 'terminal.output', data: { data: 'MARKER-one ' } },
    { type: 'terminal.output', data: { data: 'MARKER-two ' } },
  ]);
  const [later] = await host.sealOut(S, [
    { type: 'terminal.output', data: { data: 'MARKER-three' } },
  ]);
  const [elsewhere] = await host.sealOut(S2, [
    { type: 'terminal.output', data: { data: 'MARKER-other-session' } },
  ]);
  const envelope = (first!.data as { sealed: Record<string, unknown> }).sealed;
  const cipher = String(envelope['ciphertext']);
  const tampered = {
    type: 'terminal.output',
    data: {
      sealed: { ...envelope, ciphertext: (cipher[0] === 'A' ? 'B' : 'A') + cipher.slice(1) },
    },
  };
  const byOther = await sealEnvelope({
    identity: other,
    sessionKey: (await host.ring.current(S))!,
    kind: 'input',
    id: 'in-x',
    counter: 1,
    plaintext: encoder.encode(JSON.stringify({ kind: 'terminal', data: 'MARKER-forged-input' })),
  });
  const events: Array<{ type: string; data: unknown }> = [
    first!,
    second!,
    first!, // replayed at a later seq
    tampered,
    {
      type: 'input',
      data: { inputId: 'in-x', deviceId: 'd_me', payload: { kind: 'terminal', sealed: byOther } },
    },
    elsewhere!, // sealed for another session
    { type: 'terminal.output', data: { data: 'MARKER-clear' } }, // content in the clear
    later!,
  ];
  events.forEach((e, i) =>
    socket.receive({
      type: 'event',
      sessionId: S,
      event: { seq: i + 1, ts: 1, ...e } as ReceivedLogEvent,
    }),
  );
  await waitFor(() => view.lastSeq === events.length, 'every position applied');
  assert.deepEqual(output(view.getSnapshot().events), [
    'MARKER-one ',
    'MARKER-two ',
    'MARKER-three',
  ]);
  assert.ok(
    !view.getSnapshot().events.some((e) => e.type === 'input'),
    'the input signed by another device is not shown',
  );
  const refusals = errors.filter((e) => e.code === VERIFY_FAILED).map((e) => e.message);
  assert.equal(refusals.length, 5, refusals.join('\n'));
  for (const [seq, code] of [
    [3, 'replayed'],
    [4, 'bad_signature'],
    [5, 'context_mismatch'],
    [6, 'context_mismatch'],
    [7, 'plaintext'],
  ] as const) {
    assert.ok(
      refusals.some((m) => m.startsWith(`an event failed to verify: ${code} (#${seq} `)),
      `#${seq}: ${code} in\n${refusals.join('\n')}`,
    );
  }
  await client.close();
});

test('an input is sealed once when queued and resent unchanged after a reconnect', async () => {
  const { client, clock } = await setup();
  client.subscribe(S);
  const first = connect();
  await waitFor(() => first.sentOf('subscribe').length > 0, 'subscribe');
  answerSubscribes(first);
  client.send(S, { kind: 'message', text: 'MARKER-typed' } as never);
  const sent = await waitFor(() => first.sentOf('input')[0], 'the input goes out');
  assert.ok(!JSON.stringify(sent).includes('MARKER'), 'nothing typed leaves in the clear');
  const payload = sent['payload'] as { kind: string; sealed: { author: string; counter: number } };
  assert.equal(payload.kind, 'message');
  assert.equal(payload.sealed.author, 'd_me');
  // A laned counter (counter-lanes.ts): this window's lane, from the clock.
  assert.ok(payload.sealed.counter >= LANED_COUNTER_FROM, String(payload.sealed.counter));
  // The pending view shows the plaintext the user typed.
  assert.deepEqual(client.outbox.getSnapshot()[0]?.payload, {
    kind: 'message',
    text: 'MARKER-typed',
  });

  first.serverClose(1006);
  clock.advance(10_000);
  const second = connect();
  await waitFor(() => second.sentOf('subscribe').length > 0, 'resubscribe');
  answerSubscribes(second);
  const resent = await waitFor(() => second.sentOf('input')[0], 'the input is resent');
  assert.deepEqual(resent, sent);
  assert.deepEqual(resent['payload'], sent['payload'], 'the same envelope, not a new seal');
  await client.close();
});

test('a sealed stream fragment is opened before the view sees it; one in the clear is dropped', async () => {
  const { host, client, errors } = await setup();
  const view = client.subscribe(S);
  const socket = connect();
  await waitFor(() => socket.sentOf('subscribe').length > 0, 'subscribe');
  answerSubscribes(socket);
  const fragment = (k: number, text: string) =>
    sealEnvelope({
      identity: host.identity,
      sessionKey: host.ring.current(S)!,
      kind: 'event',
      id: `s.m1.${k}`,
      counter: k,
      plaintext: encoder.encode(text),
    });
  const streamed: string[] = [];
  client.on('stream', (m) => streamed.push(m.delta));
  const frame = { type: 'stream', sessionId: S, messageId: 'm1', channel: 'text' };
  socket.receive({ ...frame, delta: '', offset: 0, sealed: await fragment(1, 'MARKER-a') });
  socket.receive({ ...frame, delta: 'MARKER-clear', offset: 8 });
  socket.receive({ ...frame, delta: '', offset: 8, sealed: await fragment(2, 'MARKER-b') });
  await waitFor(() => view.getSnapshot().streams[0]?.text === 'MARKER-aMARKER-b', 'the stream');
  assert.deepEqual(streamed, ['MARKER-a', 'MARKER-b']);
  assert.equal(errors.filter((e) => e.code === VERIFY_FAILED).length, 1);
  await client.close();
});

test('events refused for want of a key are read again once the host wraps the key to this device', async () => {
  const { host, client, errors } = await setup();
  const wrapped = host.wrapped;
  host.wrapped = []; // the host has not accepted this device yet
  const view = client.subscribe(S);
  const socket = connect();
  await waitFor(() => socket.sentOf('subscribe').length === 1, 'subscribe');
  answerSubscribes(socket);
  const [early] = await host.sealOut(S, [
    { type: 'terminal.output', data: { data: 'MARKER-early' } },
  ]);
  const event = { seq: 1, ts: 1, ...early! } as ReceivedLogEvent;
  socket.receive({ type: 'event', sessionId: S, event });
  await waitFor(() => view.lastSeq === 1, 'the position moves on');
  assert.deepEqual(output(view.getSnapshot().events), []);
  assert.match(errors[0]?.message ?? '', /failed to verify: no_key/);

  // The host accepts the device and wraps the key; the relay says the session changed.
  host.wrapped = wrapped;
  socket.receive({ type: 'sessions.changed', change: 'upsert', session: info() });
  const again = await waitFor(() => socket.sentOf('subscribe')[1], 'a subscription from the start');
  assert.equal(again['afterSeq'], 0);
  socket.receive({
    type: 'reply',
    rid: again['rid'],
    result: { session: info(), headSeq: 1, epoch: 'e_1' },
  });
  socket.receive({ type: 'event', sessionId: S, event });
  await waitFor(() => output(view.getSnapshot().events).length === 1, 'the early event, opened');
  assert.deepEqual(output(view.getSnapshot().events), ['MARKER-early']);
  await client.close();
});
