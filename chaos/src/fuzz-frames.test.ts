import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClientFrame } from '@baton/protocol';
import { FuzzFrames } from './fuzz-frames.js';

test('the same seed gives the same frames', () => {
  const a = new FuzzFrames(7, 1024);
  const b = new FuzzFrames(7, 1024);
  for (let i = 0; i < 200; i++) assert.deepEqual(a.next(), b.next());
});

test('every category appears, and no frame is a valid message about a real session', () => {
  const frames = new FuzzFrames(42, 1024);
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const frame = frames.next();
    seen.add(frame.category);
    // Huge frames are refused by size before they are parsed.
    if (frame.category === 'huge' || typeof frame.data !== 'string') continue;
    const parsed = parseClientFrame(frame.data);
    if (!parsed.ok) continue;
    // Valid frames must only be about sessions that do not exist (or be a second hello).
    const msg = parsed.value;
    if (msg.type === 'hello') continue;
    assert.ok('sessionId' in msg, `unexpected valid frame ${frame.data.slice(0, 80)}`);
    assert.match(msg.sessionId, /^s_[a-z2-7]{20}$/);
    assert.notEqual(msg.type, 'session.create');
  }
  for (const c of [
    'bad-json',
    'wrong-type',
    'missing-field',
    'unknown-type',
    'unknown-session',
    'out-of-order',
    'huge',
    'binary',
    'deep',
    'prototype',
  ]) {
    assert.ok(seen.has(c), `category ${c} was generated`);
  }
});

test('huge frames exceed the limit', () => {
  const frames = new FuzzFrames(1, 1000);
  for (let i = 0; i < 50_000; i++) {
    const f = frames.next();
    if (f.category === 'huge') {
      assert.ok(f.data.length > 1000);
      return;
    }
  }
  assert.fail('no huge frame in 50,000');
});
