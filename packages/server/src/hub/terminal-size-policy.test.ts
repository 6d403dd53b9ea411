import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TerminalSizePolicy } from './terminal-size-policy.js';

const DESK = { cols: 106, rows: 30 };
const PHONE = { cols: 44, rows: 40 };

describe('TerminalSizePolicy', () => {
  it('follows the writer, but a narrower writer does not shrink a wider window', () => {
    const p = new TerminalSizePolicy();
    assert.deepEqual(p.resize('desk', DESK).size, DESK);
    // Before anyone typed, the latest window to report its size; not narrower than the desk.
    assert.deepEqual(p.resize('phone', PHONE).size, DESK);
    assert.deepEqual(p.wrote('desk').size, DESK);
    assert.deepEqual(p.wrote('phone').size, DESK, 'the phone typing keeps the desk size');
    assert.equal(p.owner?.connectionId, 'desk');
    // The desk window shrinks itself: its own size is in force.
    assert.deepEqual(p.resize('desk', { cols: 90, rows: 30 }).size, { cols: 90, rows: 30 });
    // The desk leaves: the phone, the latest writer, gets its size.
    const left = p.left('desk');
    assert.deepEqual(left.size, PHONE);
    assert.equal(left.ownerChanged, true);
  });

  it('Fit to me wins whoever types, until it is given up or its window leaves', () => {
    const p = new TerminalSizePolicy();
    p.resize('desk', DESK);
    p.wrote('desk');
    const pinned = p.resize('phone', PHONE, true);
    assert.deepEqual(pinned.size, PHONE);
    assert.equal(pinned.ownerChanged, true);
    assert.deepEqual(p.owner, { connectionId: 'phone', fitToMe: true });
    assert.deepEqual(p.wrote('desk').size, PHONE);
    // Given up: the writer's size again (the desk typed last).
    assert.deepEqual(p.resize('phone', PHONE, false).size, DESK);
    assert.deepEqual(p.owner, { connectionId: 'desk', fitToMe: false });
    p.resize('phone', PHONE, true);
    assert.deepEqual(p.left('phone').size, DESK);
  });

  it('keeps the PTY size for a writer that never reported one', () => {
    const p = new TerminalSizePolicy();
    p.wrote('script');
    assert.equal(p.resize('desk', DESK).size, undefined);
  });

  it('a window that types before its first size report does not shrink a wider one', () => {
    const p = new TerminalSizePolicy();
    p.resize('desk', DESK);
    p.wrote('desk');
    // The phone has just opened: its keys arrive before its (debounced) size.
    const typed = p.wrote('phone');
    assert.deepEqual(typed.size, DESK);
    assert.equal(typed.ownerChanged, false);
    assert.deepEqual(p.resize('phone', PHONE).size, DESK, 'the late report does not shrink it');
    assert.equal(p.owner?.connectionId, 'desk');
  });
});
