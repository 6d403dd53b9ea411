import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthorCounter,
  DeviceRegistry,
  KeyRing,
  generateDeviceIdentity,
  revokeDevice,
  rotateSessionKey,
  sealEnvelope,
  signRoster,
  wrapToDevices,
} from '@baton/seal';
import type { ReceivedLogEvent } from '@baton/protocol';
import { SealingHost } from '../testing/sealing-host.js';
import { HostTrust } from './host-trust.js';
import { MemorySealingStore } from './memory-sealing-store.js';
import { SessionSealing, type OpenedEvent, type SessionKeys } from './session-sealing.js';

/**
 * SessionSealing against a host played with @baton/seal's real crypto: what the relay would
 * carry (roster, wraps, sealed events and inputs) is built here exactly as the contract says,
 * and the relay's possible misdeeds are applied to it by hand.
 */

const S = 's_aaaaaaaaaaaaaaaaaaaa';
const S2 = 's_bbbbbbbbbbbbbbbbbbbb';
const text = (s: string) => new TextEncoder().encode(s);

async function setup() {
  const host = await SealingHost.make();
  const me = await generateDeviceIdentity('d_me');
  const other = await generateDeviceIdentity('d_other');
  host.registry.add(me.publicKeys);
  host.registry.add(other.publicKeys);
  await host.publish();
  await host.startSession(S);
  const store = new MemorySealingStore();
  await store.pinHost(host.identity.publicKeys);
  const trust = (await HostTrust.load(store, 'h_host'))!;
  let keys = () => host.keysFor('d_me');
  const saved: number[] = [];
  const sealing = new SessionSealing(
    S,
    trust,
    me,
    new AuthorCounter(),
    () => Promise.resolve(keys()),
    (last) => {
      saved.push(last);
      return Promise.resolve();
    },
  );
  await sealing.refreshKeys();
  return {
    host,
    me,
    other,
    store,
    sealing,
    saved,
    setKeys: (f: () => SessionKeys) => (keys = f),
  };
}

let seq = 0;
const at = (e: { type: string; data: unknown }, s = ++seq): ReceivedLogEvent =>
  ({ seq: s, ts: 1, ...e }) as ReceivedLogEvent;

function refusedWith(opened: OpenedEvent, code: string): void {
  assert.equal(opened.ok, false, `expected a refusal (${code}), got ${JSON.stringify(opened)}`);
  if (!opened.ok) assert.equal(opened.code, code, opened.message);
}

test('host events open to their plaintext, and an input this device sealed opens to its payload', async () => {
  const { host, sealing, saved } = await setup();
  const [created, output] = await host.sealOut(S, [
    { type: 'session.created', data: { name: 'sh', kind: 'terminal', config: {} } },
    { type: 'terminal.output', data: { data: 'MARKER-out\r\n' } },
  ]);
  const first = await sealing.openEvent(at(created!));
  const second = await sealing.openEvent(at(output!));
  assert.ok(first.ok && second.ok);
  assert.deepEqual(second.event.data, { data: 'MARKER-out\r\n' });
  sealing.admit(first.sealedBy!);
  sealing.admit(second.sealedBy!);

  const payload = { kind: 'terminal' as const, data: 'echo MARKER-in\r' };
  const sealed = await sealing.sealInput('in-1', payload);
  assert.equal(sealed.kind, 'terminal');
  assert.ok(!JSON.stringify(sealed).includes('MARKER'));
  assert.deepEqual(saved, [1]); // the counter is durable before the input may leave
  const input = await sealing.openEvent(
    at({ type: 'input', data: { inputId: 'in-1', deviceId: 'd_me', payload: sealed } }),
  );
  assert.ok(input.ok);
  assert.deepEqual((input.event.data as { payload: unknown }).payload, payload);
});

test('a tampered event, one moved to another session, and one claimed by the wrong device are refused', async () => {
  const { host, other, sealing } = await setup();
  const [output] = await host.sealOut(S, [{ type: 'terminal.output', data: { data: 'x' } }]);
  const envelope = (output!.data as { sealed: Record<string, unknown> }).sealed;

  const flipped = String(envelope['ciphertext']);
  const tampered = { ...envelope, ciphertext: (flipped[0] === 'A' ? 'B' : 'A') + flipped.slice(1) };
  refusedWith(
    await sealing.openEvent(at({ type: 'terminal.output', data: { sealed: tampered } })),
    'bad_signature',
  );

  // Sealed for another session of the same host, shown in this one.
  await host.startSession(S2);
  const [elsewhere] = await host.sealOut(S2, [{ type: 'terminal.output', data: { data: 'y' } }]);
  refusedWith(await sealing.openEvent(at(elsewhere!)), 'context_mismatch');

  // An input another device sealed, presented as this device's.
  const key = (await sealing.keyRing.current(S))!;
  const byOther = await sealEnvelope({
    identity: other,
    sessionKey: key,
    kind: 'input',
    id: 'in-9',
    counter: 1,
    plaintext: text(JSON.stringify({ kind: 'terminal', data: 'rm -rf ~\r' })),
  });
  refusedWith(
    await sealing.openEvent(
      at({
        type: 'input',
        data: { inputId: 'in-9', deviceId: 'd_me', payload: { kind: 'terminal', sealed: byOther } },
      }),
    ),
    'context_mismatch',
  );
  // …and with its author rewritten to this device: the signature is not this device's.
  refusedWith(
    await sealing.openEvent(
      at({
        type: 'input',
        data: {
          inputId: 'in-9',
          deviceId: 'd_me',
          payload: { kind: 'terminal', sealed: { ...byOther, author: 'd_me' } },
        },
      }),
    ),
    'bad_signature',
  );
  // Content in the clear in a sealed session is not shown either.
  refusedWith(
    await sealing.openEvent(at({ type: 'terminal.output', data: { data: 'forged' } })),
    'plaintext',
  );
});

test('an old event replayed, or moved to a later seq, fails the counter check in log order', async () => {
  const { host, sealing } = await setup();
  const [a, b] = await host.sealOut(S, [
    { type: 'terminal.output', data: { data: 'one' } },
    { type: 'terminal.output', data: { data: 'two' } },
  ]);
  const first = await sealing.openEvent(at(a!, 1));
  const second = await sealing.openEvent(at(b!, 2));
  const replay = await sealing.openEvent(at(a!, 3)); // the relay shows event 1 again at seq 3
  assert.ok(first.ok && second.ok && replay.ok); // crypto alone cannot tell: the position can
  sealing.admit(first.sealedBy!);
  sealing.admit(second.sealedBy!);
  assert.throws(() => sealing.admit(replay.sealedBy!), { code: 'replayed' });
  // Swapped order: the later out shown first makes the earlier one a replay.
  const { host: h2, sealing: s2 } = await setup();
  const [x, y] = await h2.sealOut(S, [
    { type: 'terminal.output', data: { data: 'x' } },
    { type: 'terminal.output', data: { data: 'y' } },
  ]);
  const later = await s2.openEvent(at(y!, 1));
  const earlier = await s2.openEvent(at(x!, 2));
  assert.ok(later.ok && earlier.ok);
  s2.admit(later.sealedBy!);
  assert.throws(() => s2.admit(earlier.sealedBy!), { code: 'replayed' });
});

test('a roster or key the relay made itself is refused; a rolled-back roster too', async () => {
  const { host, sealing, setKeys } = await setup();
  const relay = await generateDeviceIdentity('h_host'); // the relay posing as the host
  const fakeRegistry = new DeviceRegistry();
  fakeRegistry.add(relay.publicKeys);
  const forgedRoster = await signRoster(relay, fakeRegistry, 99);
  setKeys(() => ({ roster: forgedRoster, wrapped: [] }));
  await assert.rejects(sealing.refreshKeys(), { code: 'bad_signature' });

  // A key for a new epoch wrapped by the relay: refused, so the device never seals under it.
  const ring = new KeyRing();
  const own = await rotateSessionKey(ring, S);
  await rotateSessionKey(ring, S);
  const planted = await wrapToDevices(relay, ring.current(S)!, [
    sealing.trust.registry.get('d_me')!,
  ]);
  assert.ok(own);
  setKeys(() => ({ roster: host.roster, wrapped: planted }));
  await assert.rejects(sealing.refreshKeys(), { code: 'bad_signature' });
  assert.equal(sealing.keyEpoch, 1);

  // The host publishes version 2; the relay then hands out version 1 again.
  const old = host.roster;
  await host.publish();
  setKeys(() => host.keysFor('d_me'));
  await sealing.refreshKeys();
  assert.equal(sealing.trust.version, 2);
  setKeys(() => ({ roster: old, wrapped: [] }));
  await assert.rejects(sealing.refreshKeys(), { code: 'replayed' });
});

test('after this device is revoked it opens nothing sealed after the rotation', async () => {
  const { host, sealing } = await setup();
  const [before] = await host.sealOut(S, [{ type: 'terminal.output', data: { data: 'before' } }]);
  const { wrapped } = await revokeDevice({
    host: host.identity,
    registry: host.registry,
    ring: host.ring,
    counters: host.counters,
    deviceId: 'd_me',
  });
  host.wrapped.push(...wrapped);
  await host.publish();
  const [after] = await host.sealOut(S, [
    { type: 'terminal.output', data: { data: 'MARKER-after' } },
  ]);
  assert.ok((await sealing.openEvent(at(before!))).ok);
  const refused = await sealing.openEvent(at(after!));
  refusedWith(refused, 'no_key');
  assert.ok(sealing.trust.isRevoked('d_me')); // the refetch applied the new roster
  await assert.rejects(sealing.sealInput('in-2', { kind: 'terminal', data: 'x' }), {
    code: 'revoked_device',
  });
});
