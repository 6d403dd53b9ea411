import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatEvent } from './format-event.js';

test('baton tail shows a shared document change with its fields, device, mode and conflicts', () => {
  const line = formatEvent({
    seq: 7,
    ts: 1,
    type: 'doc.changed',
    data: {
      name: 'notes',
      version: 3,
      deviceId: 'd_phone',
      connectionId: 'c1',
      mode: 'mobile',
      changes: { title: 'x' },
      conflicts: { text: { values: [], version: 3 } },
    },
  });
  assert.equal(line, "[#7] document 'notes' v3: title by d_phone (mobile); conflict on text\n");
});
