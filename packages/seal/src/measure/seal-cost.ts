// The cost of sealing, verifying (what a relay does) and opening one envelope, per body size, on
// this machine's WebCrypto: `npm run seal:cost`. Prints a Markdown table; a measurement, not a
// test (no assertion on time).
import { performance } from 'node:perf_hooks';
import { CounterGuard } from '../counter-guard.js';
import { generateDeviceIdentity, importSigningKey } from '../device-identity.js';
import { signHostOut, verifyHostOut } from '../host-output-signature.js';
import { DeviceRegistry } from '../device-registry.js';
import { KeyRing } from '../key-ring.js';
import { openEnvelope } from '../open-envelope.js';
import { rotateSessionKey } from '../rotation.js';
import { sealEnvelope } from '../seal-envelope.js';
import { verifyEnvelope } from '../verify-envelope.js';
import { type SealedEnvelope } from '../envelope-format.js';

const SESSION = 's_aaaaaaaaaaaaaaaaaaaa';
const SIZES = [64, 1024, 16 * 1024, 64 * 1024];
const COUNT = Number(process.argv[2] ?? 2000);

const host = await generateDeviceIdentity('d_host');
const ring = new KeyRing();
const key = await rotateSessionKey(ring, SESSION);
const registry = new DeviceRegistry();
registry.add(host.publicKeys);
const hostVerifyKey = await importSigningKey(host.publicKeys.signingKey);

const rows: string[] = [];
let counter = 0;
for (const size of SIZES) {
  const body = new Uint8Array(size).fill(0x61);
  const envelopes: SealedEnvelope[] = [];
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) {
    envelopes.push(
      await sealEnvelope({
        identity: host,
        sessionKey: key,
        kind: 'event',
        id: `e${++counter}`,
        counter,
        plaintext: body,
      }),
    );
  }
  const t1 = performance.now();
  for (const e of envelopes) {
    await verifyEnvelope(e, { session: SESSION, kind: 'event', id: e.id }, registry);
  }
  const t2 = performance.now();
  const counters = new CounterGuard();
  for (const e of envelopes) {
    await openEnvelope(
      e,
      { session: SESSION, kind: 'event', id: e.id },
      { registry, keyRing: ring, counters },
    );
  }
  const t3 = performance.now();
  // The baseline, in the same run with the same WebCrypto and the same one-at-a-time awaits:
  // what a host and a relay would do per output without encryption, a signature over the body
  // without sealing it.
  const outBody = { data: new TextDecoder().decode(body) };
  const signatures: string[] = [];
  for (let i = 0; i < COUNT; i++)
    signatures.push(await signHostOut(host.signing.privateKey, SESSION, i, outBody));
  const t4 = performance.now();
  for (let i = 0; i < COUNT; i++)
    await verifyHostOut(hostVerifyKey, SESSION, i, outBody, signatures[i]);
  const t5 = performance.now();
  const us = (ms: number) => ((ms * 1000) / COUNT).toFixed(0);
  const overhead = JSON.stringify(envelopes[0]).length - Math.ceil((size * 4) / 3);
  rows.push(
    `| ${size} B | ${us(t1 - t0)} µs | ${us(t2 - t1)} µs | ${us(t3 - t2)} µs | ${us(t4 - t3)} µs | ${us(t5 - t4)} µs | ${overhead} B |`,
  );
}
process.stdout.write(
  [
    `Node ${process.version}, ${COUNT} envelopes per size, one at a time (mean per envelope):`,
    '',
    '| body | seal (host) | verify (relay) | open (device) | baseline: sign only (host) | baseline: verify signature (relay) | envelope JSON beyond the base64url body |',
    '| ---- | ----------- | -------------- | ------------- | --------------------------------- | ----------------------------------------- | --------------------------------------- |',
    ...rows,
    '',
  ].join('\n'),
);
