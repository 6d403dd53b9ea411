import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireInputPayload } from '@baton/protocol';
import { payloadDigest } from './payload-digest.js';

// Digests are stored with every input and compared with a retry's, across upgrades: these are
// the digests stored by earlier versions, and they must never change.
test('payload digests stay those stored by earlier versions, whatever the key order', () => {
  const cases: [unknown, string][] = [
    [{ kind: 'message', text: 'hello' }, 'f904956c2a11e31441b12da7e9e754bd'],
    [{ text: 'hello', kind: 'message' }, 'f904956c2a11e31441b12da7e9e754bd'],
    [
      {
        text: 'héllo ✓ 𝄞',
        kind: 'message',
        attachments: [{ name: 'a.png', id: 'att_1', type: 'image/png', size: 10 }, { id: 'att_2' }],
      },
      '1c90a134bdd96923d12f36517587245e',
    ],
    [{ kind: 'terminal', data: '\u001b[A\r\n' }, '7ab52902664879c0bf8c9ca9c188f1f2'],
    [
      {
        kind: 'message',
        text: 'x',
        meta: { z: 1, a: [1, 'two', null, true, { b: 2, B: 1, é: 3, ab: 4, a: 5 }], m: -0.5e-7 },
      },
      '860fc4c222170c48504144da6430343a',
    ],
  ];
  for (const [payload, digest] of cases)
    assert.equal(payloadDigest(payload as WireInputPayload), digest, JSON.stringify(payload));
});
