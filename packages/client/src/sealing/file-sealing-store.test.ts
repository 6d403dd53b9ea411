import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateDeviceIdentity, sealEnvelope, generateSessionKey } from '@baton/seal';
import { FileSealingStore } from './file-sealing-store.js';
import { MemorySealingStore } from './memory-sealing-store.js';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-sealing-store-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the file store keeps identity, pins, roster and counters across instances, mode 0600', async () => {
  const path = join(tempDir(), 'keys', 'device.json');
  const store = new FileSealingStore(path);
  assert.equal(await store.loadIdentity(), undefined);
  const identity = await generateDeviceIdentity('d_laptop', { extractable: true });
  const host = await generateDeviceIdentity('h_host');
  await store.saveIdentity(identity);
  await store.pinHost(host.publicKeys);
  await store.saveCounter('s_one', 3);
  await store.saveCounter('s_one', 2); // never goes back
  assert.equal(statSync(path).mode & 0o777, 0o600);

  const again = new FileSealingStore(path);
  const loaded = await again.loadIdentity();
  assert.deepEqual(loaded?.publicKeys, identity.publicKeys);
  assert.deepEqual(await again.hostKeys('h_host'), host.publicKeys);
  assert.deepEqual(await again.counters(), { s_one: 3 });
  // The loaded keys sign: what the device sealed before a restart and after verify alike.
  const key = await generateSessionKey('s_one', 1);
  const sealed = await sealEnvelope({
    identity: loaded!,
    sessionKey: key,
    kind: 'input',
    id: 'i1',
    counter: 4,
    plaintext: new Uint8Array([1]),
  });
  assert.equal(sealed.author, 'd_laptop');
  // The secret never appears outside the file, and the file holds it as PKCS#8, not raw JSON keys.
  assert.match(readFileSync(path, 'utf8'), /signingPrivateKey/);
});

test('two processes of one device never undo what the other wrote to the file', async () => {
  const path = join(tempDir(), 'device.json');
  const first = new FileSealingStore(path);
  await first.saveIdentity(await generateDeviceIdentity('d_laptop', { extractable: true }));
  await first.saveCounter('s_one', 5);
  // A second process (a `baton join` while an attach runs) pins a host and counts further.
  const second = new FileSealingStore(path);
  const host = await generateDeviceIdentity('h_other');
  await second.pinHost(host.publicKeys);
  await second.saveCounter('s_one', 9);
  // The first process, whose copy is older, writes a counter of its own.
  await first.saveCounter('s_two', 1);
  const after = new FileSealingStore(path);
  assert.deepEqual(await after.hostKeys('h_other'), host.publicKeys, 'the pinned host stays');
  assert.deepEqual(await after.counters(), { s_one: 9, s_two: 1 });
});

test('the file store refuses a file others can read, and says how to fix it', async () => {
  const path = join(tempDir(), 'device.json');
  const store = new FileSealingStore(path);
  await store.saveIdentity(await generateDeviceIdentity('d_x', { extractable: true }));
  chmodSync(path, 0o644);
  await assert.rejects(new FileSealingStore(path).loadIdentity(), /chmod 600/);
  await assert.rejects(new FileSealingStore(path).counters(), /others may read/);
});

test('the file store refuses a damaged file and a second identity', async () => {
  const path = join(tempDir(), 'device.json');
  writeFileSync(path, '{"v":1,"hosts":[]}', { mode: 0o600 });
  await assert.rejects(new FileSealingStore(path).loadIdentity(), /not a baton device key file/);
  const other = join(tempDir(), 'device.json');
  const store = new FileSealingStore(other);
  await store.saveIdentity(await generateDeviceIdentity('d_a', { extractable: true }));
  await assert.rejects(
    store.saveIdentity(await generateDeviceIdentity('d_b', { extractable: true })),
    /already holds device d_a/,
  );
});

test('a pinned host keeps its keys in both stores: a link with other keys for it is refused', async () => {
  const host = await generateDeviceIdentity('h_host');
  const impostor = await generateDeviceIdentity('h_host');
  for (const store of [new MemorySealingStore(), new FileSealingStore(join(tempDir(), 'k.json'))]) {
    await store.pinHost(host.publicKeys);
    await store.pinHost(host.publicKeys); // the same keys again: fine
    await assert.rejects(store.pinHost(impostor.publicKeys), /pinned with other keys/);
    assert.deepEqual(await store.hostKeys('h_host'), host.publicKeys);
  }
});
