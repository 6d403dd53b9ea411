import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponderHistory } from './responder-history.js';

test('the responder of an output is the one noted at or before its seq', () => {
  const h = new ResponderHistory();
  assert.equal(h.at(1), undefined, 'nothing noted yet');
  const at = (seq: number) => {
    const then = h.at(seq);
    return then === undefined ? 'forgotten' : then.responder;
  };
  h.note(3, 'a');
  h.note(5, 'a'); // the same responder: no new entry
  h.note(8, 'b');
  h.note(9, undefined); // every window left
  h.note(12, 'a');
  assert.equal(at(2), 'forgotten', 'before the first output noted');
  assert.equal(at(3), 'a');
  assert.equal(at(7), 'a');
  assert.equal(at(8), 'b');
  assert.equal(at(10), undefined, 'no window then');
  assert.equal(at(12), 'a');
  assert.equal(at(40), 'a', 'beyond the newest: the newest');
});

test('only the newest 64 changes are kept; an answer to older output is late', () => {
  const h = new ResponderHistory();
  for (let i = 1; i <= 100; i++) h.note(i * 10, i % 2 === 0 ? 'a' : 'b');
  assert.equal(h.at(1000)?.responder, 'a');
  assert.equal(h.at(375)?.responder, 'b', 'the 37th change is among the newest 64');
  assert.equal(h.at(365), undefined, 'the 36th is forgotten');
});
