import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeadlessScreen } from './headless-screen.js';
import { waitFor } from '../../runners/terminal/recording-context.test-helper.js';

test('a flood written faster than xterm parses is kept in order, never discarded', async () => {
  // xterm throws "write data discarded" once 50 M characters wait to be parsed. A PTY flood
  // (`yes`, `cat` of a large file) hands over output faster than that; none of it may be lost.
  const screen = new HeadlessScreen(80, 24, 100);
  try {
    const line = `${'x'.repeat(78)}\r\n`;
    const chunk = line.repeat(Math.ceil((1024 * 1024) / line.length));
    for (let i = 0; i < 60; i++) screen.write(chunk); // about 60 M characters, synchronously
    screen.resize(100, 30);
    screen.write(`END-${6 * 7}`);
    const state = await screen.snapshot();
    assert.equal(state.cols, 100, 'the resize took effect after the flood');
    assert.match(state.screen, /END-42/);
  } finally {
    screen.dispose();
  }
});

test('a quiet screen is checkpointed, so a joiner gets a copy; any change invalidates it', async () => {
  const screen = new HeadlessScreen(80, 24, 1000);
  try {
    for (let i = 1; i <= 1000; i++) screen.write(`\x1b[3${i % 8}mline ${i}\x1b[0m\r\n`);
    assert.equal(screen.checkpointCurrent, false, 'output invalidates the checkpoint');
    // Taken in the background once the screen has been quiet for CHECKPOINT_IDLE_MS.
    await waitFor('the idle checkpoint', () => screen.checkpointCurrent);
    const first = await screen.snapshot();
    const second = await screen.snapshot();
    assert.match(first.screen, /line 1000/);
    // The very same string: the checkpoint, not a second serialization.
    assert.equal(Object.is(first, second), true);

    screen.write('after the checkpoint\r\n');
    assert.equal(screen.checkpointCurrent, false);
    const fresh = await screen.snapshot();
    assert.match(fresh.screen, /after the checkpoint/, 'never a stale checkpoint');
    screen.resize(100, 30);
    assert.equal((await screen.snapshot()).cols, 100, 'a resize invalidates it too');
  } finally {
    screen.dispose();
  }
});
