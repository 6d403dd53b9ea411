import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientMessageOf, DocumentState, Hlc } from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import { decideResolve } from './decide-resolve.js';
import { decideWrite, type DocumentWriter } from './decide-write.js';

const S = 's_aaaaaaaaaaaaaaaaaaaa';
const phone: DocumentWriter = { deviceId: 'phone', connectionId: 'c1', mode: 'mobile' };
const laptop: DocumentWriter = { deviceId: 'laptop', connectionId: 'c2', mode: 'tab' };
const NOW = 1_000_000;
const clock = (wallMs: number, node: string): Hlc => ({ wallMs, counter: 0, node });

function writeOf(
  baseVersion: number,
  patch: ClientMessageOf<'doc.write'>['patch'],
  extra: Partial<ClientMessageOf<'doc.write'>> = {},
): ClientMessageOf<'doc.write'> {
  return { type: 'doc.write', rid: 1, sessionId: S, name: 'd', baseVersion, patch, ...extra };
}

/** Commits a write and returns the document after it (the write must commit). */
function commit(
  doc: DocumentState | undefined,
  w: ClientMessageOf<'doc.write'>,
  who = phone,
): DocumentState {
  const d = decideWrite(doc, w, who, NOW);
  assert.equal(d.kind, 'commit');
  return d.kind === 'commit' ? d.next : doc!;
}

test('a timestamp write that loses still commits, keeping its value as overruled', () => {
  let doc = commit(
    undefined,
    writeOf(0, { c: 'a' }, { strategy: 'timestamp', hlc: clock(NOW, 'p') }),
  );
  doc = commit(doc, writeOf(1, { c: 'b' }, { hlc: clock(NOW + 5, 'l') }), laptop);
  const late = decideWrite(doc, writeOf(1, { c: 'old' }, { hlc: clock(NOW - 5, 'p') }), phone, NOW);
  assert.equal(late.kind, 'commit');
  if (late.kind !== 'commit') return;
  assert.deepEqual(late.change.changes, {}, 'the field keeps the later value');
  assert.deepEqual(late.change.overruled, [
    { field: 'c', value: 'old', deviceId: 'phone', version: 3, hlc: clock(NOW - 5, 'p') },
  ]);
  assert.equal(late.next.version, 3);
  assert.equal(late.conflicts[0]?.result, 'theirs');
});

test('a field override decides that field; the rest follows the document strategy', () => {
  let doc = commit(
    undefined,
    writeOf(0, { a: 1, b: 1 }, { strategy: 'user_choice', fieldStrategies: { b: 'manual' } }),
  );
  doc = commit(doc, writeOf(1, { b: 2 }), laptop);
  const stale = decideWrite(doc, writeOf(1, { b: 3 }), phone, NOW);
  assert.equal(stale.kind, 'commit', 'only the manual field conflicts: the write commits');
  if (stale.kind !== 'commit') return;
  assert.deepEqual(
    stale.next.conflicts['b']?.values.map((v) => v.value),
    [2, 3],
  );
  assert.equal(stale.next.fields['b'], 2);
});

test('null removes a field; a stale write over the removal conflicts', () => {
  let doc = commit(undefined, writeOf(0, { a: 1 }, { strategy: 'user_choice' }));
  doc = commit(doc, writeOf(1, { a: null }), laptop);
  assert.deepEqual(doc.fields, {});
  assert.equal(doc.fieldVersions['a'], 2);
  const stale = decideWrite(doc, writeOf(1, { a: 5 }), phone, NOW);
  assert.equal(stale.kind, 'returned');
  if (stale.kind === 'returned')
    assert.deepEqual([stale.conflicts[0]?.yours, stale.conflicts[0]?.theirs], [5, null]);
});

test('a clock far ahead is refused only when it decides something', () => {
  const ahead = clock(NOW + 10 * 60_000, 'p');
  assert.throws(
    () =>
      decideWrite(
        undefined,
        writeOf(0, { a: 1 }, { strategy: 'timestamp', hlc: ahead }),
        phone,
        NOW,
      ),
    (err: unknown) => err instanceof BatonError && err.code === 'clock_skew',
  );
  assert.equal(
    decideWrite(undefined, writeOf(0, { a: 1 }, { hlc: ahead }), phone, NOW).kind,
    'commit',
  );
});

test("fields named after Object.prototype's members are fields like any other", () => {
  // Valid field names that a plain index resolves to Object.prototype's members.
  const names = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
  let doc = commit(undefined, writeOf(0, { a: 1 }, { strategy: 'manual' }));
  for (const name of names) {
    doc = commit(doc, writeOf(doc.version, { [name]: `${name}!` }));
    assert.equal(Object.hasOwn(doc.fields, name) && doc.fields[name], `${name}!`);
    assert.equal(Object.hasOwn(doc.conflicts, name), false, `${name} has no conflict`);
  }
  // A stale write to one that changed since its base opens a conflict (manual), as for any field.
  const stale = decideWrite(doc, writeOf(1, { toString: 'mine' }), laptop, NOW);
  assert.equal(stale.kind, 'commit');
  if (stale.kind !== 'commit') return;
  assert.deepEqual(
    stale.next.conflicts['toString']?.values.map((v) => v.value),
    ['toString!', 'mine'],
  );
  // No conflict is open on `valueOf`: resolving it is refused, never committed.
  assert.throws(
    () =>
      decideResolve(
        doc,
        {
          type: 'doc.resolve',
          rid: 2,
          sessionId: S,
          name: 'd',
          field: 'valueOf',
          value: 'x',
          baseVersion: doc.version,
        },
        phone,
      ),
    (e: unknown) => e instanceof BatonError && e.code === 'not_found',
  );
  // Only `t` is timed: `constructor` gets no clock (a plain index found Object's constructor).
  const fresh = commit(
    undefined,
    writeOf(
      0,
      { constructor: 1, t: 2 },
      { fieldStrategies: { t: 'timestamp' }, hlc: clock(NOW, 'p') },
    ),
  );
  assert.deepEqual(Object.keys(fresh.clocks), ['t']);
});
