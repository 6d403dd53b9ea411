import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  exportDeviceIdentity,
  generateDeviceIdentity,
  importDeviceIdentity,
} from './device-identity.js';
import { KeyRing } from './key-ring.js';
import { rotateSessionKey } from './rotation.js';
import { generateSessionKey } from './session-key.js';

test('a key ring seals under the newest epoch and keeps older ones for history', async () => {
  const ring = new KeyRing();
  assert.equal(ring.current('s_a'), undefined);
  const first = await rotateSessionKey(ring, 's_a');
  const second = await rotateSessionKey(ring, 's_a');
  const other = await rotateSessionKey(ring, 's_b');
  assert.deepEqual([first.epoch, second.epoch, other.epoch], [1, 2, 1]);
  assert.equal(ring.current('s_a'), second);
  assert.equal(ring.get('s_a', 1), first);
  assert.deepEqual(ring.epochs('s_a'), [1, 2]);
  // A key that arrives late for an older epoch does not become the sealing key.
  const late = new KeyRing();
  late.add(second);
  late.add(first);
  assert.equal(late.current('s_a')?.epoch, 2);
  assert.deepEqual(ring.sessions().sort(), ['s_a', 's_b']);
  ring.drop('s_a');
  assert.equal(ring.current('s_a'), undefined);
  await assert.rejects(generateSessionKey('s_a', 0), RangeError);
});

test('an identity exports and imports when extractable, and not otherwise', async () => {
  const kept = await generateDeviceIdentity('d_cli', { extractable: true });
  const exported = await exportDeviceIdentity(kept);
  const back = await importDeviceIdentity(exported);
  assert.deepEqual(back.publicKeys, kept.publicKeys);
  const message = new TextEncoder().encode('same key');
  const signature = await globalThis.crypto.subtle.sign(
    { name: 'Ed25519' },
    back.signing.privateKey,
    message,
  );
  assert.equal(
    await globalThis.crypto.subtle.verify(
      { name: 'Ed25519' },
      kept.signing.publicKey,
      signature,
      message,
    ),
    true,
  );
  const browserLike = await generateDeviceIdentity('d_tab');
  assert.equal(browserLike.signing.privateKey.extractable, false);
  assert.equal(browserLike.agreement.privateKey.extractable, false);
  await assert.rejects(exportDeviceIdentity(browserLike), TypeError);
  await assert.rejects(
    importDeviceIdentity({ ...exported, signingPrivateKey: 'not-a-key!' }),
    /base64url PKCS#8/,
  );
  await assert.rejects(
    importDeviceIdentity({ ...exported, signingPrivateKey: exported.agreementPrivateKey }),
    /pair this device again/,
  );
});
