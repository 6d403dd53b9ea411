import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wholeNumber } from './whole-number.js';

test('a whole number is decimal digits; hex, exponents, fractions and empty text are not', () => {
  for (const [text, n] of [
    ['80', 80],
    [' 80 ', 80],
    ['-1', -1],
    ['0', 0],
    ['007', 7],
  ] as const)
    assert.equal(wholeNumber(text), n, text);
  for (const text of [
    '',
    ' ',
    '0x10',
    '1e2',
    '0b1',
    '0o7',
    '+80',
    '8.0',
    '80px',
    'Infinity',
    '1_000',
  ])
    assert.equal(wholeNumber(text), undefined, text);
});
