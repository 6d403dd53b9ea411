import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CounterGuard } from '../counter-guard.js';
import { identityFromSeeds } from '../device-identity.js';
import { DeviceRegistry } from '../device-registry.js';
import { KeyRing } from '../key-ring.js';
import { unwrapSessionKey } from '../key-wrap.js';
import { openEnvelope } from '../open-envelope.js';
import { generateTestVectors } from './test-vectors.js';

const DOC = new URL('../../../../docs/protocol.md', import.meta.url);

async function documentedVectors(): Promise<Record<string, unknown>> {
  const doc = await readFile(DOC, 'utf8');
  const block =
    /<!-- seal-test-vectors:start -->\s*```json\n([\s\S]*?)\n```\s*<!-- seal-test-vectors:end -->/.exec(
      doc,
    );
  assert.ok(block?.[1], 'docs/protocol.md holds the seal test vectors between their markers');
  return JSON.parse(block[1]) as Record<string, unknown>;
}

test('the test vectors in docs/protocol.md are what the implementation produces', async () => {
  assert.deepEqual(await generateTestVectors(), await documentedVectors());
});

test('the documented vectors open: the wrapped key unwraps on the phone and the envelope opens with it', async () => {
  const v = (await documentedVectors()) as {
    keys: Record<
      'host' | 'phone',
      { deviceId: string; signingSeedHex: string; agreementSeedHex: string }
    >;
    envelope: { plaintext: string; sealed: unknown };
    wrappedKey: { wrapped: unknown };
  };
  const fromSeeds = (k: { deviceId: string; signingSeedHex: string; agreementSeedHex: string }) =>
    identityFromSeeds(
      k.deviceId,
      Buffer.from(k.signingSeedHex, 'hex'),
      Buffer.from(k.agreementSeedHex, 'hex'),
    );
  const host = await fromSeeds(v.keys.host);
  const phone = await fromSeeds(v.keys.phone);
  const registry = new DeviceRegistry();
  registry.add(host.publicKeys);
  registry.add(phone.publicKeys);
  const ring = new KeyRing();
  ring.add(
    await unwrapSessionKey(phone, v.wrappedKey.wrapped, { registry, expectedWrapper: 'd_host' }),
  );
  const opened = await openEnvelope(
    v.envelope.sealed,
    { session: 's_aaaaaaaaaaaaaaaaaaaa', kind: 'event', id: 'ev-1' },
    { registry, keyRing: ring, counters: new CounterGuard() },
  );
  assert.equal(new TextDecoder().decode(opened.plaintext), v.envelope.plaintext);
});
