import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributedTexts } from './turn-attribution.js';

const names: Record<string, string> = { d1: 'desk', d2: 'phone "Pixel"' };
const nameOf = (id: string) => names[id] ?? id;

test('messages from one device go as typed', () => {
  assert.deepEqual(
    attributedTexts(
      [
        { deviceId: 'd1', text: 'one' },
        { deviceId: 'd1', text: 'two' },
      ],
      nameOf,
    ),
    ['one', 'two'],
  );
});

test('messages from several devices each name their device, names quoted', () => {
  assert.deepEqual(
    attributedTexts(
      [
        { deviceId: 'd1', text: 'use tabs' },
        { deviceId: 'd2', text: 'no, spaces' },
      ],
      nameOf,
    ),
    [
      '[sent from the device "desk"]\nuse tabs',
      '[sent from the device "phone \\"Pixel\\""]\nno, spaces',
    ],
  );
});
