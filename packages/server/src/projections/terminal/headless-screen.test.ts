import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeadlessScreen } from './headless-screen.js';

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
