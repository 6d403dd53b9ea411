import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fromBase64url } from './base64url.js';
import { generateDeviceIdentity } from './device-identity.js';
import { sealEnvelope } from './seal-envelope.js';
import { generateSessionKey } from './session-key.js';

/**
 * The independent check: tools that share no code with baton open and verify a sealed envelope
 * from the layout in docs/protocol.md. The Python reader (independent/open_envelope.py, Debian's
 * python3-cryptography) builds the AAD and the signature input from the envelope's JSON fields
 * and checks the GCM tag; the openssl command line verifies the Ed25519 signature over the bytes
 * the reader built and decrypts the body as AES-256-CTR from counter nonce ‖ 00000002. This file
 * hands those tools only the envelope JSON, the session key and the public key in the documented
 * encodings. npm test installs the tools (scripts/install-crypto-tools.sh).
 */

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3'; // Debian's, with Debian's python3-cryptography
const READER = fileURLToPath(new URL('../independent/open_envelope.py', import.meta.url));
// docs/protocol.md: an Ed25519 public key as SubjectPublicKeyInfo DER is these 12 bytes, then
// the raw 32-byte key (RFC 8410).
const ED25519_SPKI_PREFIX = '302a300506032b6570032100';

const dir = await mkdtemp(join(tmpdir(), 'baton-seal-check-'));
after(() => rm(dir, { recursive: true, force: true }));

const MARKER = 'MARKER-7f3a: printf "sealed bytes"\n';

async function sealedSample() {
  const author = await generateDeviceIdentity('d_host');
  const sessionKey = await generateSessionKey('s_aaaaaaaaaaaaaaaaaaaa', 3);
  const envelope = await sealEnvelope({
    identity: author,
    sessionKey,
    kind: 'event',
    id: 'ev-42',
    counter: 17,
    plaintext: new TextEncoder().encode(MARKER),
  });
  const keyHex = Buffer.from(
    await globalThis.crypto.subtle.exportKey('raw', sessionKey.key),
  ).toString('hex');
  const spki = Buffer.concat([
    Buffer.from(ED25519_SPKI_PREFIX, 'hex'),
    Buffer.from(fromBase64url(author.publicKeys.signingKey)!),
  ]);
  const pem = `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`;
  return { envelope, keyHex, pem };
}

const { envelope, keyHex, pem } = await sealedSample();
const envelopePath = join(dir, 'envelope.json');
const pemPath = join(dir, 'signer.pem');
await writeFile(envelopePath, JSON.stringify(envelope));
await writeFile(pemPath, pem);

test('python3-cryptography opens the sealed body with the tag and the AAD built from the doc', async () => {
  const { stdout } = await run(PYTHON, [READER, envelopePath, keyHex, dir]);
  assert.equal(stdout, MARKER);
  // The reader really checks: another session in the AAD, or another key, fails.
  const moved = join(dir, 'moved.json');
  await writeFile(moved, JSON.stringify({ ...envelope, session: 's_bbbbbbbbbbbbbbbbbbbb' }));
  await assert.rejects(run(PYTHON, [READER, moved, keyHex, join(dir)]), /tag check failed/);
  await assert.rejects(
    run(PYTHON, [READER, envelopePath, '00'.repeat(32), dir]),
    /tag check failed/,
  );
  // Leave the files of the genuine envelope for the openssl checks.
  await run(PYTHON, [READER, envelopePath, keyHex, dir]);
});

test('openssl pkeyutl verifies the Ed25519 signature with the public key from its documented encoding', async () => {
  await run(PYTHON, [READER, envelopePath, keyHex, dir]);
  const args = ['pkeyutl', '-verify', '-pubin', '-inkey', pemPath, '-rawin'];
  const { stdout } = await run('openssl', [
    ...args,
    '-in',
    join(dir, 'signature-input.bin'),
    '-sigfile',
    join(dir, 'signature.bin'),
  ]);
  assert.match(stdout, /Signature Verified Successfully/);
  // openssl refuses a changed byte: the check can fail.
  const input = await readFile(join(dir, 'signature-input.bin'));
  input[input.length - 1]! ^= 1;
  await writeFile(join(dir, 'changed-input.bin'), input);
  await assert.rejects(
    run('openssl', [
      ...args,
      '-in',
      join(dir, 'changed-input.bin'),
      '-sigfile',
      join(dir, 'signature.bin'),
    ]),
    (error: { code?: number; stdout?: string }) =>
      error.code === 1 && /Signature Verification Failure/.test(error.stdout ?? ''),
  );
});

test('openssl enc -aes-256-ctr from counter nonce || 00000002 yields the plaintext (no tag check)', async () => {
  await run(PYTHON, [READER, envelopePath, keyHex, dir]);
  const nonceHex = (await readFile(join(dir, 'nonce.hex'), 'ascii')).trim();
  const { stdout } = await run('openssl', [
    'enc',
    '-d',
    '-aes-256-ctr',
    '-K',
    keyHex,
    '-iv',
    `${nonceHex}00000002`,
    '-in',
    join(dir, 'ciphertext.bin'),
  ]);
  assert.equal(stdout, MARKER);
});

test('python3-cryptography recomputes every published test vector from the document alone', async () => {
  const doc = await readFile(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
  const block = /<!-- seal-test-vectors:start -->\s*```json\n([\s\S]*?)\n```/.exec(doc);
  assert.ok(block?.[1], 'docs/protocol.md holds the test vectors');
  const checker = fileURLToPath(new URL('../independent/check_vectors.py', import.meta.url));
  const vectorsPath = join(dir, 'vectors.json');
  await writeFile(vectorsPath, block[1]);
  const { stdout } = await run(PYTHON, [checker, vectorsPath]);
  assert.equal(stdout.trim(), 'ok');
  // The checker compares: one changed byte of the published signature is reported.
  const vectors = JSON.parse(block[1]) as { envelope: { sealed: { signature: string } } };
  const sig = vectors.envelope.sealed.signature;
  vectors.envelope.sealed.signature = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  await writeFile(vectorsPath, JSON.stringify(vectors));
  await assert.rejects(run(PYTHON, [checker, vectorsPath]), (error: { stdout?: string }) =>
    /envelope\.sealed\.signature differs/.test(error.stdout ?? ''),
  );
});
