import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKnownLogEvent, type SessionInfo } from '@baton/protocol';
import { ProtocolClient } from '../testing/protocol-client.js';
import { BASH_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

/**
 * Integration: real server, two real WebSocket windows, a real bash in a real PTY. Every window's
 * emulator answers a program's query; one answer per query reaches the program, even when a
 * window answers late, after the responder changed to it (docs/terminals.md, "Answers to
 * terminal queries").
 */

const ASK = (tag: string): string =>
  `printf '\\033[6n'; read -rs -d R ans; printf '${tag}%q\\n' "$ans"\r`;

/** The seq of the first output event at or after `after` that asks for the cursor position. */
async function queryOutput(c: ProtocolClient, sessionId: string, after: number): Promise<number> {
  return waitUntil(() => {
    for (const e of c.logs.get(sessionId) ?? [])
      if (isKnownLogEvent(e) && e.type === 'terminal.output' && e.seq > after)
        if (e.data.data.includes('\x1b[6n')) return e.seq;
    return undefined;
  }, 'the program to ask for the cursor position');
}

async function shown(c: ProtocolClient, sessionId: string, text: string): Promise<void> {
  await waitUntil(
    () => {
      let all = '';
      for (const e of c.logs.get(sessionId) ?? [])
        if (isKnownLogEvent(e) && e.type === 'terminal.output') all += e.data.data;
      return all.includes(text);
    },
    `the terminal to show ${JSON.stringify(text)}`,
  );
}

/** Why the input `inputId` was not typed, as its ack says; undefined when it was. */
async function ignoredOf(c: ProtocolClient, inputId: string): Promise<string | undefined> {
  const ack = await c.waitFor((f) => f.type === 'ack' && f.inputId === inputId);
  return ack.type === 'ack' ? ack.ignored : 'no ack';
}

test('a window that answers a query late, after it became the writer, is not typed a second time', async (t) => {
  const data = tempDataDir();
  const server = await startTestServer({ dataDir: data.dir });
  t.after(async () => {
    await server.close();
    data.remove();
  });
  const a = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
  const b = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
  t.after(() => Promise.all([a.close(), b.close()]));
  const { session } = await a.request<{ session: SessionInfo }>({
    type: 'session.create',
    kind: 'terminal',
    config: BASH_TERMINAL,
  });
  const id = session.id;
  await a.subscribe(id, 0);
  await b.subscribe(id, 0);
  await shown(a, id, '$ ');

  // A types the question; both windows draw it and both emulators answer.
  await a.submit(id, 'a-ask', { kind: 'terminal', data: ASK('got') });
  const first = await queryOutput(a, id, 0);
  const answer = (data: string, querySeq: number) =>
    ({ kind: 'terminal', data, report: true, querySeq }) as const;
  await a.submit(id, 'a-answer', answer('\x1b[7;1R', first));
  assert.equal(await ignoredOf(a, 'a-answer'), undefined, "the responder's answer is typed");
  await shown(a, id, "got$'\\E[7;1'");

  // B's user starts typing before B's emulator got round to answering: B is the writer now, and
  // the responder of this moment, but not of the moment the program asked.
  await b.submit(id, 'b-types', { kind: 'terminal', data: 'echo done-$((3*4))' });
  await b.submit(id, 'b-late', answer('\x1b[7;1R', first));
  assert.equal(await ignoredOf(b, 'b-late'), 'not_responder', 'the late answer is dropped');
  await b.submit(id, 'b-enter', { kind: 'terminal', data: '\r' });
  await shown(b, id, 'done-12');

  // Asked again, from B: B's answer is typed, A's is the one dropped.
  await b.submit(id, 'b-ask', { kind: 'terminal', data: ASK('two') });
  const second = await queryOutput(b, id, first);
  await a.submit(id, 'a-second', answer('\x1b[9;1R', second));
  assert.equal(await ignoredOf(a, 'a-second'), 'not_responder');
  await b.submit(id, 'b-second', answer('\x1b[9;1R', second));
  assert.equal(await ignoredOf(b, 'b-second'), undefined);
  await shown(b, id, "two$'\\E[9;1'");

  // An answer to output that was never committed answers nothing.
  await b.submit(id, 'b-ahead', answer('\x1b[1;1R', second + 1_000));
  assert.equal(await ignoredOf(b, 'b-ahead'), 'not_responder');

  const { events } = await a.request<{ events: { type: string; data: { inputId?: string } }[] }>({
    type: 'fetch',
    sessionId: id,
    afterSeq: 0,
    limit: 1000,
  });
  const stored = events.filter((e) => e.type === 'input').map((e) => e.data.inputId);
  assert.deepEqual(
    stored,
    ['a-ask', 'a-answer', 'b-types', 'b-enter', 'b-ask', 'b-second'],
    'one answer per query is stored and typed',
  );
  assert.deepEqual([...a.violations, ...b.violations], []);
});
