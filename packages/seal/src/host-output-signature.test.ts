import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDeviceIdentity, importSigningKey } from './device-identity.js';
import {
  hostOutSignatureInput,
  keyFingerprint,
  signHostOut,
  verifyHostOut,
} from './host-output-signature.js';
import { SealError } from './seal-error.js';

const body = { kind: 'events', events: [{ type: 'terminal.output', data: { data: 'hi' } }] };

test('a host output signature verifies over its session, number and content, and nothing else', async () => {
  const host = await generateDeviceIdentity('host');
  const other = await generateDeviceIdentity('other');
  const key = await importSigningKey(host.publicKeys.signingKey);
  const sig = await signHostOut(host.signing.privateKey, 's_a', 7, body);
  await verifyHostOut(key, 's_a', 7, body, sig);

  const refused = async (what: string, run: Promise<void>, code: string) =>
    assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof SealError, what);
      assert.equal(err.code, code, what);
      return true;
    });
  await refused('another session', verifyHostOut(key, 's_b', 7, body, sig), 'bad_signature');
  await refused('another number', verifyHostOut(key, 's_a', 8, body, sig), 'bad_signature');
  const altered = { ...body, events: [{ type: 'terminal.output', data: { data: 'hI' } }] };
  await refused('other content', verifyHostOut(key, 's_a', 7, altered, sig), 'bad_signature');
  const thief = await signHostOut(other.signing.privateKey, 's_a', 7, body);
  await refused('another key', verifyHostOut(key, 's_a', 7, body, thief), 'bad_signature');
  await refused('no signature', verifyHostOut(key, 's_a', 7, body, undefined), 'malformed');
  await refused('short', verifyHostOut(key, 's_a', 7, body, 'AAAA'), 'malformed');
});

test('the signed bytes are the canonical JSON: key order on the wire does not matter', () => {
  const reordered = JSON.parse(
    '{"events":[{"data":{"data":"hi"},"type":"terminal.output"}],"kind":"events"}',
  ) as unknown;
  assert.deepEqual(
    hostOutSignatureInput('s_a', 1, reordered),
    hostOutSignatureInput('s_a', 1, body),
  );
  const text = new TextDecoder().decode(hostOutSignatureInput('s_a', 1, body));
  assert.ok(
    text.endsWith('{"events":[{"data":{"data":"hi"},"type":"terminal.output"}],"kind":"events"}'),
  );
});

test('a key fingerprint is eight groups of four hex digits, the same for the same key', async () => {
  const host = await generateDeviceIdentity('host');
  const fingerprint = await keyFingerprint(host.publicKeys.signingKey);
  assert.match(fingerprint, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
  assert.equal(await keyFingerprint(host.publicKeys.signingKey), fingerprint);
  const other = await generateDeviceIdentity('other');
  assert.notEqual(await keyFingerprint(other.publicKeys.signingKey), fingerprint);
  await assert.rejects(keyFingerprint('AAAA'), SealError);
});
