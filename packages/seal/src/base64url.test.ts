import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBase64url, toBase64url } from './base64url.js';

test('base64url round-trips every length and uses the URL alphabet without padding', () => {
  for (let length = 0; length < 70; length++) {
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
    const text = toBase64url(bytes);
    assert.match(text, /^[A-Za-z0-9_-]*$/);
    assert.deepEqual(fromBase64url(text), bytes);
  }
  assert.equal(toBase64url(Uint8Array.of(0xfb, 0xff)), '-_8');
  // Large inputs (above the chunk size) too.
  const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
  assert.deepEqual(fromBase64url(toBase64url(big)), big);
});

test('base64url refuses padding, other alphabets and non-canonical spellings', () => {
  for (const bad of ['AA==', 'A+8', 'A/8', 'A', 'AAAAA', 'AB', ' AA', 'Zg=', 'Zh']) {
    assert.equal(fromBase64url(bad), undefined, bad);
  }
  assert.deepEqual(fromBase64url('Zg'), Uint8Array.of(0x66));
});
