import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { generateDeviceIdentity, sealEnvelope } from '@baton/seal';
import type { LogEvent, ReceivedLogEvent } from '@baton/protocol';
import { BatonClient } from '../baton-client.js';
import type { BatonError } from '../baton-error.js';
import type { HttpFetch } from '../http-json.js';
import { FakeSocket } from '../testing/fake-socket.js';
import { SealingHost } from '../testing/sealing-host.js';
import { VERIFY_FAILED } from './client-sealing.js';
import { MemorySealingStore } from './memory-sealing-store.js';
import { waitForValue } from '../testing/wait-for-value.js';

/**
 * BatonClient opening a sealed session's snapshot (docs/protocol.md, "Sealed snapshots"), the
 * relay played by hand and the host with real crypto: the view gets the opened screen, the
 * replay check goes on from the counters the snapshot covers, and a snapshot moved to another
 * seq leaves a diagnostic and no content.
 */

const S = 's_aaaaaaaaaaaaaaaaaaaa';
const encoder = new TextEncoder();

beforeEach(() => FakeSocket.reset());

const info = {
  id: S,
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

const waitFor = waitForValue;

const output = (events: readonly LogEvent[]) =>
  events.flatMap((e) => (e.type === 'terminal.output' ? [e.data.data] : []));

test('a sealed snapshot opens to the screen and seeds the replay check; one moved to another seq shows nothing', async (t) => {
  const host = await SealingHost.make();
  const me = await generateDeviceIdentity('d_me');
  host.registry.add(me.publicKeys);
  await host.publish();
  await host.startSession(S);
  const store = new MemorySealingStore();
  await store.saveIdentity(me);
  await store.pinHost(host.identity.publicKeys);
  const fetch: HttpFetch = () =>
    Promise.resolve({
      ok: true,
      status: 200,
      text: () => Promise.resolve(JSON.stringify(host.keysFor('d_me'))),
    });
  const client = new BatonClient({
    url: 'ws://relay/v1/ws',
    token: 't',
    mode: 'cli',
    WebSocket: FakeSocket,
    sealing: { store, fetch },
  });
  t.after(() => client.close());
  const errors: BatonError[] = [];
  client.on('error', (e) => errors.push(e));
  client.connect();
  const view = client.subscribe(S);
  const socket = FakeSocket.last;
  socket.handshake();
  for (const frame of socket.sentOf('sessions.watch'))
    socket.receive({ type: 'reply', rid: frame['rid'], result: { sessions: [info] } });
  await waitFor(() => socket.sentOf('subscribe').length > 0, 'subscribe');
  for (const frame of socket.sentOf('subscribe'))
    socket.receive({
      type: 'reply',
      rid: frame['rid'],
      result: { session: info, headSeq: 0, epoch: 'e_1' },
    });

  // Events 1 and 2 were compacted into the host's snapshot at seq 2.
  const [first, second] = await host.sealOut(S, [
    { type: 'terminal.output', data: { data: 'MARKER-one ' } },
    { type: 'terminal.output', data: { data: 'MARKER-two ' } },
  ]);
  const [later] = await host.sealOut(S, [
    { type: 'terminal.output', data: { data: 'MARKER-three' } },
  ]);
  const counterOf = (e: { data: unknown }) =>
    (e.data as { sealed: { counter: number } }).sealed.counter;
  const snapshot = await sealEnvelope({
    identity: host.identity,
    sessionKey: host.ring.current(S)!,
    kind: 'snapshot',
    id: 'snap.2',
    counter: 2 ** 52 + 2,
    plaintext: encoder.encode(
      JSON.stringify({
        runner: { kind: 'terminal', screen: 'MARKER-one MARKER-two ', cols: 80, rows: 24 },
        counters: { h_host: counterOf(second!) },
      }),
    ),
  });
  const frame = (seq: number) => ({
    type: 'snapshot',
    sessionId: S,
    seq,
    epoch: 'e_1',
    reason: 'retention',
    state: { session: info, runner: { sealed: snapshot } },
  });
  socket.receive(frame(2));
  const replayed = { seq: 3, ts: 1, ...first! } as ReceivedLogEvent;
  socket.receive({ type: 'event', sessionId: S, event: replayed });
  socket.receive({
    type: 'event',
    sessionId: S,
    event: { seq: 4, ts: 1, ...later! } as ReceivedLogEvent,
  });
  await waitFor(() => view.lastSeq === 4, 'the events after the snapshot applied');
  const base = view.getSnapshot().base;
  assert.equal(base?.seq, 2);
  assert.deepEqual(base?.state?.runner, {
    kind: 'terminal',
    screen: 'MARKER-one MARKER-two ',
    cols: 80,
    rows: 24,
  });
  assert.deepEqual(output(view.getSnapshot().events), ['MARKER-three']);
  const refusals = () => errors.filter((e) => e.code === VERIFY_FAILED).map((e) => e.message);
  assert.deepEqual(
    refusals().map((m) => m.slice(0, 40)),
    ['an event failed to verify: replayed (#3 '],
    'an envelope the snapshot covers, replayed after it, is refused',
  );

  // The same envelope sent as the snapshot at another seq: refused, nothing shown.
  socket.receive(frame(7));
  await waitFor(() => view.lastSeq === 7, 'the moved snapshot keeps its position');
  assert.deepEqual(view.getSnapshot().base?.state?.runner, { kind: 'none' });
  assert.ok(
    refusals().some((m) => m.startsWith('a snapshot failed to verify: context_mismatch (at #7 ')),
    refusals().join('\n'),
  );
});
