import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keystroke } from './keystroke-echo.js';

test('keystrokes alternate a letter and DEL, so the line stays empty', () => {
  const typed = Array.from({ length: 100 }, (_, i) => keystroke(i).data);
  for (let i = 0; i < typed.length; i += 2) {
    assert.match(typed[i]!, /^[a-z]$/);
    assert.equal(typed[i + 1], '\x7f');
  }
  assert.notEqual(keystroke(0).data, keystroke(2).data, 'consecutive letters differ');
});

test("a letter's echo is the letter, not readline's escape sequences", () => {
  for (let i = 0; i < 100; i += 2) {
    const k = keystroke(i);
    assert.equal(k.echoed(k.data), true);
    // What readline writes around a prompt and when it erases: never taken for a letter's echo.
    for (const noise of ['\x1b[?2004h', '\x1b[?2004l\r', '\x1b[K', '\b \b', '\x1b[0m', '$ '])
      assert.equal(k.echoed(noise), false, `${JSON.stringify(noise)} is not ${k.data}'s echo`);
  }
});

test("DEL's echo is recognised by its backspace, and a letter is not it", () => {
  const del = keystroke(1);
  assert.equal(del.echoed('\b \b'), true);
  assert.equal(del.echoed('\b\x1b[K'), true);
  assert.equal(del.echoed('a'), false);
  assert.equal(del.echoed('\x1b[K'), false);
});

test('a negative or fractional index is refused', () => {
  assert.throws(() => keystroke(-1), /≥ 0/);
  assert.throws(() => keystroke(1.5), /≥ 0/);
});
