import assert from 'node:assert/strict';
import { test } from 'node:test';

// The package relies on the platform's WebCrypto for Ed25519 and X25519 (no library): this
// fails on a Node without them. tests/web checks the same in Chromium.

const subtle = globalThis.crypto.subtle;

test('Node WebCrypto signs and verifies Ed25519, and refuses a changed message', async () => {
  const pair = (await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as {
    privateKey: Parameters<typeof subtle.sign>[1];
    publicKey: Parameters<typeof subtle.verify>[1];
  };
  const message = new TextEncoder().encode('baton');
  const signature = await subtle.sign({ name: 'Ed25519' }, pair.privateKey, message);
  assert.equal(signature.byteLength, 64);
  assert.equal(await subtle.verify({ name: 'Ed25519' }, pair.publicKey, signature, message), true);
  const changed = new TextEncoder().encode('Baton');
  assert.equal(await subtle.verify({ name: 'Ed25519' }, pair.publicKey, signature, changed), false);
});

test('Node WebCrypto agrees on an X25519 shared secret from both sides', async () => {
  const usages: ['deriveBits'] = ['deriveBits'];
  const a = (await subtle.generateKey({ name: 'X25519' }, false, usages)) as {
    privateKey: Parameters<typeof subtle.deriveBits>[1];
    publicKey: Parameters<typeof subtle.deriveBits>[1];
  };
  const b = (await subtle.generateKey({ name: 'X25519' }, false, usages)) as typeof a;
  const ab = new Uint8Array(
    await subtle.deriveBits({ name: 'X25519', public: b.publicKey }, a.privateKey, 256),
  );
  const ba = new Uint8Array(
    await subtle.deriveBits({ name: 'X25519', public: a.publicKey }, b.privateKey, 256),
  );
  assert.equal(ab.length, 32);
  assert.deepEqual(ab, ba);
  assert.ok(ab.some((x) => x !== 0));
});
