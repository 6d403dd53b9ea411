import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBase64url, toBase64url } from './base64url.js';
import { envelopeAad, envelopeSignatureInput, type SealedEnvelope } from './envelope-format.js';
import { openEnvelope } from './open-envelope.js';
import { sealEnvelope } from './seal-envelope.js';
import { introduce, newParty, sessionWith, type SealParty } from './testing/seal-party.js';
import { refusedWith } from './testing/refused-with.js';
import { verifyEnvelope } from './verify-envelope.js';
import { DeviceRegistry } from './device-registry.js';
import { CounterGuard } from './counter-guard.js';
import { KeyRing } from './key-ring.js';
import { importSessionKey } from './session-key.js';

const S1 = 's_aaaaaaaaaaaaaaaaaaaa';
const S2 = 's_bbbbbbbbbbbbbbbbbbbb';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (b: Uint8Array): string => new TextDecoder().decode(b);

async function world(): Promise<{ host: SealParty; phone: SealParty; laptop: SealParty }> {
  const host = await newParty('d_host');
  const phone = await newParty('d_phone');
  const laptop = await newParty('d_laptop');
  introduce([host, phone, laptop]);
  await sessionWith(S1, host, [phone, laptop]);
  await sessionWith(S2, host, [phone, laptop]);
  return { host, phone, laptop };
}

async function seal(
  author: SealParty,
  session: string,
  kind: 'event' | 'input' | 'snapshot',
  id: string,
  counter: number,
  body: string,
): Promise<SealedEnvelope> {
  return sealEnvelope({
    identity: author.identity,
    sessionKey: author.ring.current(session)!,
    kind,
    id,
    counter,
    plaintext: text(body),
  });
}

const open = (
  reader: SealParty,
  envelope: unknown,
  kind: 'event' | 'input' | 'snapshot',
  id: string,
  session = S1,
) =>
  openEnvelope(
    envelope,
    { session, kind, id },
    {
      registry: reader.registry,
      keyRing: reader.ring,
      counters: reader.counters,
    },
  );

/** Re-signs an envelope whose fields were changed, as its author (or a thief of its key) could. */
async function resign(author: SealParty, envelope: SealedEnvelope): Promise<SealedEnvelope> {
  const input = envelopeSignatureInput(
    envelopeAad(envelope),
    fromBase64url(envelope.nonce)!,
    fromBase64url(envelope.ciphertext)!,
  );
  const signature = await globalThis.crypto.subtle.sign(
    { name: 'Ed25519' },
    author.identity.signing.privateKey,
    input,
  );
  return { ...envelope, signature: toBase64url(new Uint8Array(signature)) };
}

test('events, inputs and snapshots round-trip between host and devices, in both directions', async () => {
  const { host, phone, laptop } = await world();
  const event = await seal(host, S1, 'event', 'e1', 1, 'MARKER-terminal-output');
  const input = await seal(phone, S1, 'input', 'in-1', 1, '{"type":"message","text":"hi"}');
  const snapshot = await seal(host, S1, 'snapshot', 'snap-7', 2, 'screen');
  for (const reader of [phone, laptop]) {
    assert.equal(
      read((await open(reader, event, 'event', 'e1')).plaintext),
      'MARKER-terminal-output',
    );
  }
  assert.equal(
    read((await open(host, input, 'input', 'in-1')).plaintext),
    '{"type":"message","text":"hi"}',
  );
  assert.equal(
    read((await open(laptop, input, 'input', 'in-1')).plaintext),
    '{"type":"message","text":"hi"}',
  );
  assert.equal(read((await open(phone, snapshot, 'snapshot', 'snap-7')).plaintext), 'screen');
  // The plaintext appears nowhere in what travels.
  assert.ok(!JSON.stringify(event).includes('MARKER'));
  // The relay, holding public keys only, accepts all three without reading them.
  const relay = new DeviceRegistry();
  for (const p of [host, phone, laptop]) relay.add(p.identity.publicKeys);
  await verifyEnvelope(event, { session: S1, kind: 'event', id: 'e1', author: 'd_host' }, relay);
  await verifyEnvelope(input, { session: S1, kind: 'input', id: 'in-1', author: 'd_phone' }, relay);
});

test('a tampered ciphertext is refused by the relay (signature) and by clients', async () => {
  const { host, phone } = await world();
  const event = await seal(host, S1, 'event', 'e1', 1, 'rm -rf nothing');
  const bytes = fromBase64url(event.ciphertext)!;
  bytes[0]! ^= 0x01;
  const tampered = { ...event, ciphertext: toBase64url(bytes) };
  const relay = new DeviceRegistry();
  relay.add(host.identity.publicKeys);
  await assert.rejects(
    verifyEnvelope(tampered, { session: S1, kind: 'event', id: 'e1' }, relay),
    refusedWith('bad_signature'),
  );
  await assert.rejects(open(phone, tampered, 'event', 'e1'), refusedWith('bad_signature'));
  // Even with a valid signature over the tampered bytes, the AEAD tag refuses it.
  await assert.rejects(
    open(phone, await resign(host, tampered), 'event', 'e1'),
    refusedWith('decrypt_failed'),
  );
  // Refusals move no counter: the genuine envelope still opens.
  assert.equal(read((await open(phone, event, 'event', 'e1')).plaintext), 'rm -rf nothing');
});

test('an envelope moved to another session, position, kind or author fails to open', async () => {
  const { host, phone, laptop } = await world();
  const event = await seal(host, S1, 'event', 'e1', 1, 'secret');
  // Found somewhere else than it names: refused before any crypto.
  await assert.rejects(open(phone, event, 'event', 'e1', S2), refusedWith('context_mismatch'));
  await assert.rejects(open(phone, event, 'event', 'e2'), refusedWith('context_mismatch'));
  await assert.rejects(open(phone, event, 'input', 'e1'), refusedWith('context_mismatch'));
  // Relabelled to fit the new place and re-signed (the strongest attacker short of the session
  // key): the AAD no longer matches what was sealed, so AES-GCM refuses it.
  for (const [change, place] of [
    [{ session: S2 }, { session: S2, id: 'e1', kind: 'event' }],
    [{ id: 'e9' }, { session: S1, id: 'e9', kind: 'event' }],
    [{ kind: 'snapshot' }, { session: S1, id: 'e1', kind: 'snapshot' }],
    [{ counter: 5 }, { session: S1, id: 'e1', kind: 'event' }],
  ] as const) {
    const moved = await resign(host, { ...event, ...change });
    await assert.rejects(
      openEnvelope(moved, place, {
        registry: phone.registry,
        keyRing: phone.ring,
        counters: phone.counters,
      }),
      refusedWith('decrypt_failed'),
    );
  }
  // Sessions have keys of their own, so the session binding must hold even if two shared one:
  // a reader whose key for S2 is S1's key still refuses the envelope relabelled to S2.
  const raw = new Uint8Array(
    await globalThis.crypto.subtle.exportKey('raw', host.ring.get(S1, 1)!.key),
  );
  const sameKeyRing = new KeyRing();
  sameKeyRing.add(await importSessionKey(S2, 1, raw, false));
  await assert.rejects(
    openEnvelope(
      await resign(host, { ...event, session: S2 }),
      { session: S2, kind: 'event', id: 'e1' },
      { registry: phone.registry, keyRing: sameKeyRing, counters: new CounterGuard() },
    ),
    refusedWith('decrypt_failed'),
  );
  // Another author claims the ciphertext as its own and signs it: the AAD binds the author.
  const claimed = await resign(laptop, { ...event, author: 'd_laptop' });
  await assert.rejects(open(phone, claimed, 'event', 'e1'), refusedWith('decrypt_failed'));
  // The key epoch is bound too.
  await assert.rejects(
    open(phone, await resign(host, { ...event, keyEpoch: 2 }), 'event', 'e1'),
    refusedWith('no_key'),
  );
});

test('an envelope signed by another device than its author is refused, by the relay too', async () => {
  const { host, phone, laptop } = await world();
  // The laptop seals an input but names the phone as author, signing with its own key.
  const forged = await sealEnvelope({
    identity: { ...laptop.identity, deviceId: 'd_phone' },
    sessionKey: laptop.ring.current(S1)!,
    kind: 'input',
    id: 'in-1',
    counter: 1,
    plaintext: text('approve everything'),
  });
  assert.equal(forged.author, 'd_phone');
  const relay = new DeviceRegistry();
  for (const p of [host, phone, laptop]) relay.add(p.identity.publicKeys);
  await assert.rejects(
    verifyEnvelope(forged, { session: S1, kind: 'input', id: 'in-1', author: 'd_phone' }, relay),
    refusedWith('bad_signature'),
  );
  await assert.rejects(open(host, forged, 'input', 'in-1'), refusedWith('bad_signature'));
  // A device the verifier never registered is refused as unknown.
  const stranger = await newParty('d_stranger');
  const fromStranger = await sealEnvelope({
    identity: stranger.identity,
    sessionKey: host.ring.current(S1)!,
    kind: 'input',
    id: 'in-2',
    counter: 1,
    plaintext: text('x'),
  });
  await assert.rejects(
    verifyEnvelope(fromStranger, { session: S1, kind: 'input', id: 'in-2' }, relay),
    refusedWith('unknown_device'),
  );
  // The relay refuses an envelope whose author is not the device that sent it.
  const genuine = await seal(phone, S1, 'input', 'in-3', 1, 'ok');
  await assert.rejects(
    verifyEnvelope(genuine, { session: S1, kind: 'input', id: 'in-3', author: 'd_laptop' }, relay),
    refusedWith('context_mismatch'),
  );
});

test('a replayed old event is refused: each author counter must grow', async () => {
  const { host, phone } = await world();
  const e1 = await seal(host, S1, 'event', 'e1', 1, 'one');
  const e2 = await seal(host, S1, 'event', 'e2', 2, 'two');
  await open(phone, e1, 'event', 'e1');
  await open(phone, e2, 'event', 'e2');
  // The relay hands e1 out again (at a new seq): same id, old counter.
  await assert.rejects(open(phone, e1, 'event', 'e1'), refusedWith('replayed'));
  // Out of order: a reader that saw e2 first refuses e1 after it.
  const other = await newParty('d_other');
  introduce([host, other]);
  other.ring.add(host.ring.current(S1)!);
  await open(other, e2, 'event', 'e2');
  await assert.rejects(open(other, e1, 'event', 'e1'), refusedWith('replayed'));
  // Counters are per author and per session: the phone's counter 1 is its own.
  const input = await seal(phone, S1, 'input', 'in-1', 1, 'mine');
  await open(host, input, 'input', 'in-1');
  assert.equal(host.counters.highest(S1, 'd_phone'), 1);
  assert.equal(phone.counters.highest(S1, 'd_host'), 2);
});

test('malformed envelopes are refused with a reason, never a crash', async () => {
  const { host, phone } = await world();
  const event = await seal(host, S1, 'event', 'e1', 1, 'x');
  const place = { session: S1, kind: 'event', id: 'e1' } as const;
  const registry = phone.registry;
  const bad: unknown[] = [
    null,
    'text',
    42,
    {},
    { ...event, v: 2 },
    { ...event, extra: true },
    { ...event, nonce: event.nonce + 'A' },
    { ...event, nonce: event.nonce.slice(0, -1) + '=' },
    { ...event, signature: event.signature.slice(1) },
    { ...event, ciphertext: '' },
    { ...event, ciphertext: 'not base64url!' },
    { ...event, counter: 0 },
    { ...event, counter: 2 ** 53 },
    { ...event, keyEpoch: -1 },
    { ...event, kind: 'other' },
    { ...event, session: 'x'.repeat(300) },
  ];
  for (const input of bad) {
    await assert.rejects(verifyEnvelope(input, place, registry), refusedWith('malformed'));
  }
  const counters = new CounterGuard();
  await assert.rejects(
    openEnvelope({ ...event, ciphertext: event.ciphertext + '=' }, place, {
      registry,
      keyRing: phone.ring,
      counters,
    }),
    refusedWith('malformed'),
  );
});
