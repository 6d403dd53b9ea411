import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogEvent, RunnerSnapshot } from '@baton/protocol';
import { AgentProjection } from './agent-projection.js';

/** A conversation's events: replies (kept) between status changes (not kept), seqs from `from`. */
function conversation(from: number, count: number): LogEvent[] {
  const events: LogEvent[] = [];
  for (let i = 0; i < count; i++) {
    const seq = from + i;
    events.push(
      i % 3 === 2
        ? ({ seq, ts: 1_000 + seq, type: 'session.status', data: { status: 'idle' } } as LogEvent)
        : ({
            seq,
            ts: 1_000 + seq,
            type: 'agent.text',
            // Quotes, a newline, a control character, an emoji and a lone surrogate: text that
            // JSON must escape, and characters that make a two-byte string.
            data: { messageId: `m${seq}`, text: `reply "${seq}"\n\u0001 😀 \ud800` },
          } as LogEvent),
    );
  }
  return events;
}

const kept = (events: LogEvent[]) => events.filter((e) => e.type !== 'session.status');

/** The snapshot's parts, one after another, as text. */
async function textOf(p: AgentProjection): Promise<{ seq: number; json: string }> {
  const { seq, parts } = await p.snapshotJson();
  return { seq, json: Buffer.concat(parts).toString('utf8') };
}

describe('AgentProjection', () => {
  test('its snapshot text is the JSON of the kept events in order, across chunks', async () => {
    const p = new AgentProjection();
    const events = conversation(1, 3_500);
    for (const e of events) p.apply(e);
    const expected = { kind: 'agent', events: kept(events) };
    const text = await textOf(p);
    assert.equal(text.seq, 3_500);
    assert.equal(text.json, JSON.stringify(expected));
    // Byte for byte what encoding the state whole gives (a lone surrogate stays escaped).
    const { parts } = await p.snapshotJson();
    assert.ok(Buffer.concat(parts).equals(Buffer.from(JSON.stringify(expected))));
    assert.deepEqual(await p.snapshot(), { seq: 3_500, state: expected });
  });

  test('a snapshot taken, then more events: the next one has them (and the seq of the last)', async () => {
    const p = new AgentProjection();
    const events = conversation(1, 1_500);
    for (const e of events.slice(0, 1_000)) p.apply(e);
    const first = await textOf(p);
    assert.equal(
      first.json,
      JSON.stringify({ kind: 'agent', events: kept(events.slice(0, 1_000)) }),
    );
    // An event that is not kept moves the seq only.
    p.apply(events[1_000]!);
    p.apply(events[1_001]!);
    assert.equal(events[1_001]!.type, 'session.status');
    const same = await textOf(p);
    assert.deepEqual(
      [same.seq, JSON.parse(same.json)],
      [1_002, { kind: 'agent', events: kept(events.slice(0, 1_002)) }],
    );
    for (const e of events.slice(1_002)) p.apply(e);
    const last = await textOf(p);
    assert.equal(last.seq, 1_500);
    assert.equal(last.json, JSON.stringify({ kind: 'agent', events: kept(events) }));
  });

  test('with no events, and with exactly full chunks', async () => {
    const p = new AgentProjection();
    assert.deepEqual(await textOf(p), { seq: 0, json: '{"kind":"agent","events":[]}' });
    // 3,000 events, 2,000 of them kept: two full chunks and nothing after them.
    const events = conversation(1, 3_000);
    for (const e of events) p.apply(e);
    assert.equal(kept(events).length, 2_000);
    assert.equal((await textOf(p)).json, JSON.stringify({ kind: 'agent', events: kept(events) }));
  });

  test('restores from a stored snapshot and goes on from it', async () => {
    const events = conversation(1, 2_400);
    const p = new AgentProjection();
    p.apply(conversation(9_000, 1)[0]!); // replaced by the restore
    // The snapshot says seq 2,000: its events past that, and events of a type this server does
    // not know, are dropped.
    const unknown = { seq: 5, ts: 5, type: 'agent.hologram', data: {} } as unknown as LogEvent;
    p.restore(2_000, { kind: 'agent', events: [unknown, ...kept(events)] } as RunnerSnapshot);
    const restored = await textOf(p);
    assert.equal(restored.seq, 2_000);
    assert.equal(
      restored.json,
      JSON.stringify({ kind: 'agent', events: kept(events.slice(0, 2_000)) }),
    );
    for (const e of events.slice(2_000)) p.apply(e);
    assert.equal((await textOf(p)).json, JSON.stringify({ kind: 'agent', events: kept(events) }));
    p.restore(7, { kind: 'none' });
    assert.deepEqual(await p.snapshot(), { seq: 7, state: { kind: 'agent', events: [] } });
  });
});
