import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputId } from '@baton/protocol';
import { newInputId } from './new-input-id.js';

test('input ids are UUIDs of version 7, valid on the wire, unique and in the order made', () => {
  const ids = Array.from({ length: 5000 }, () => newInputId());
  for (const id of ids.slice(0, 50)) {
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(InputId.safeParse(id).success, true);
  }
  assert.equal(new Set(ids).size, ids.length);
  // Made one after another, every id sorts after the one before, within a millisecond too: the
  // server's dedupe b-tree then takes them at the end of one range (migrations.ts, schema 14).
  for (let i = 1; i < ids.length; i++)
    assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
  // The first 48 bits are the time in milliseconds.
  const ms = parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16);
  assert.ok(Math.abs(ms - Date.now()) < 60_000, `${ms} is about now`);
});
