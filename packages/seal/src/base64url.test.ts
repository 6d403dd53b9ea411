import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  fromBase64url,
  fromBase64urlPortable,
  toBase64url,
  toBase64urlPortable,
} from './base64url.js';

test('base64url round-trips every length and uses the URL alphabet without padding', () => {
  for (let length = 0; length < 70; length++) {
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
    const text = toBase64url(bytes);
    assert.match(text, /^[A-Za-z0-9_-]*$/);
    assert.deepEqual(fromBase64url(text), bytes);
  }
  assert.equal(toBase64url(Uint8Array.of(0xfb, 0xff)), '-_8');
  // Large inputs (above the portable path's chunk size) too.
  const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
  assert.deepEqual(fromBase64url(toBase64url(big)), big);
});

test('base64url refuses padding, other alphabets and non-canonical spellings', () => {
  for (const bad of ['AA==', 'A+8', 'A/8', 'A', 'AAAAA', 'AB', ' AA', 'Zg=', 'Zh', 'Zg\n']) {
    assert.equal(fromBase64url(bad), undefined, bad);
    assert.equal(fromBase64urlPortable(bad), undefined, bad);
  }
  assert.deepEqual(fromBase64url('Zg'), Uint8Array.of(0x66));
});

test('the native codec (Node) and the btoa one (browsers) spell and read every value alike', () => {
  for (let length = 0; length < 300; length++) {
    const bytes = new Uint8Array(randomBytes(length));
    const text = toBase64url(bytes);
    assert.equal(toBase64urlPortable(bytes), text, `length ${length}`);
    assert.deepEqual(fromBase64urlPortable(text), bytes);
    assert.deepEqual(fromBase64url(text), bytes);
  }
  // A view into the middle of a larger buffer encodes only its own bytes.
  const whole = new Uint8Array(randomBytes(64));
  const view = whole.subarray(5, 40);
  assert.equal(toBase64url(view), toBase64urlPortable(view));
});

test('decoded bytes own their buffer, so a pooled Buffer never leaks beside them', () => {
  const decoded = fromBase64url(toBase64url(Uint8Array.of(1, 2, 3)))!;
  assert.equal(decoded.byteOffset, 0);
  assert.equal(decoded.buffer.byteLength, 3);
});
