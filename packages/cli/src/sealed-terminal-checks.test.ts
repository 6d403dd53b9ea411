import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import {
  BatonClient,
  DeviceSealing,
  MemorySealingStore,
  pairWithHost,
  type WebSocketConstructor,
} from '@baton/client';
import type { LogEvent, SessionInfo } from '@baton/protocol';
import { pairDeviceWithHost } from '@baton/server';
import {
  BASH_TERMINAL,
  ProtocolClient,
  startTestServer,
  startWelcomedHost,
  waitForSessionKey,
  waitUntil,
} from '@baton/server/testing';
import { attachTerminal, DETACH_KEY } from './attach/terminal-attach.js';
import { emulatedTerminal, storedInputs } from './attach/user-terminal.test-helper.js';

/**
 * The terminal checks on sealed inputs (docs/protocol.md, "Sealed sessions" → "Inputs"), through
 * a real relay and a real host with a real bash: a window's emulator answer (`report`) is typed
 * only from the responder window; keys typed for an earlier run of the shell are refused with
 * `stale_input`; and an input whose clear copy of `run` differs from the sealed one never
 * reaches the shell. Each check reads the shell's output, opened on a device.
 */

const outputOf = (events: readonly LogEvent[]) =>
  events.flatMap((e) => (e.type === 'terminal.output' ? [e.data.data] : [])).join('');

test('sealed terminal inputs: only the responder’s answers are typed, stale keys and altered checks are refused', async (t) => {
  const relay = await startTestServer({ relay: true });
  const { hostId, dataDir, close } = await startWelcomedHost(relay, { name: 'desk' });
  const clients: BatonClient[] = [];
  const raw: ProtocolClient[] = [];
  t.after(async () => {
    for (const c of clients) await c.close();
    for (const r of raw) r.terminate();
    await close();
    await relay.stop();
  });
  const created = await fetch(`${relay.url}/api/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'terminal', config: { ...BASH_TERMINAL, host: 'desk' } }),
  });
  const session = ((await created.json()) as { session: SessionInfo }).session;
  assert.equal(session.sealed?.hostId, hostId);

  /** A device paired by the host's link, once the host wrapped the session key to it. */
  const paired = async (name: string) => {
    const store = new MemorySealingStore();
    const { link } = await pairDeviceWithHost({ relay: relay.url, dataDir, role: 'editor' });
    const { token } = await pairWithHost(link, { store, name });
    await waitForSessionKey(relay.url, token, session.id);
    return { store, token };
  };
  /** A paired device's client, subscribed. */
  const device = async (name: string) => {
    const { store, token } = await paired(name);
    const client = new BatonClient({
      url: relay.wsUrl,
      token,
      mode: 'tab',
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      sealing: { store },
    });
    clients.push(client);
    client.connect();
    const view = client.subscribe(session.id);
    return { client, view };
  };
  const a = await device('window a');
  const b = await device('window b');
  const shown = () => outputOf(a.view.getSnapshot().events);
  await waitUntil(() => shown().includes('$'), 'the prompt, opened on a', 15_000);

  // A types: the latest writer is the responder.
  await a.client.send(session.id, { kind: 'terminal', data: 'echo A-$((20+1))\r' }).confirmed;
  await waitUntil(() => shown().includes('A-21'), 'what a typed runs', 15_000);
  // Both emulators answer the same query; b's answer is stored before a's, so had it been
  // typed, the shell would show it first. They name the output they answer (`querySeq`, sealed
  // and in the clear copy): the relay filters by it, the host finds the copy unaltered.
  const querySeq = a.view.getSnapshot().events.findLast((e) => e.type === 'terminal.output')?.seq;
  assert.ok(querySeq !== undefined);
  const report = (data: string) => ({ kind: 'terminal', data, report: true, querySeq }) as const;
  await b.client.send(session.id, report('REPORT-B')).confirmed;
  await a.client.send(session.id, report('REPORT-A')).confirmed;
  await waitUntil(() => shown().includes('REPORT-A'), 'the responder’s answer is typed', 15_000);
  assert.ok(!shown().includes('REPORT-B'), `b's answer was typed: ${shown()}`);
  await a.client.send(session.id, { kind: 'terminal', data: '\u0015' }).confirmed; // clear the line

  // Keys typed for an earlier run of the shell.
  const run = a.client.sessions.get(session.id)?.run ?? 0;
  const stale = a.client.send(session.id, {
    kind: 'terminal',
    data: 'echo STALE-$((1+1))\r',
    run: run + 1000,
  });
  await assert.rejects(stale.confirmed, (e: Error & { code?: string }) => e.code === 'stale_input');

  // A clear copy that differs from what was sealed (as a relay that altered it would store):
  // the host refuses the input after opening it, and the next one is typed as usual. Sealed by a
  // third device, with its own counters.
  const c = await paired('device c');
  const sealing = await (
    await DeviceSealing.load(c.store, { baseUrl: relay.url, token: c.token })
  ).session(session.id, hostId);
  const mismatch = await sealing.sealInput('mismatch-1', {
    kind: 'terminal',
    data: 'echo MISMATCH-$((3+3))\r',
  });
  const conn = await ProtocolClient.connect(relay.wsUrl, c.token, 'headless');
  raw.push(conn);
  await conn.submit(session.id, 'mismatch-1', mismatch as never, 15_000, { run });
  await a.client.send(session.id, { kind: 'terminal', data: 'echo AFTER-$((4+4))\r' }).confirmed;
  await waitUntil(() => shown().includes('AFTER-8'), 'the input after it is typed', 15_000);
  assert.ok(!shown().includes('MISMATCH-6'), `the altered input was typed: ${shown()}`);
  assert.ok(!shown().includes('STALE-2'), `the stale keys were typed: ${shown()}`);
});

test('baton attach through a relay: with two terminals attached to a sealed shell, one answer to a query is typed', async (t) => {
  const relay = await startTestServer({ relay: true });
  const { hostId, dataDir, close } = await startWelcomedHost(relay, { name: 'desk' });
  const created = await fetch(`${relay.url}/api/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'terminal', config: { ...BASH_TERMINAL, host: 'desk' } }),
  });
  const session = ((await created.json()) as { session: SessionInfo }).session;
  /** A device of its own, paired by the host's link (two machines, each with `baton attach`). */
  const paired = async (name: string) => {
    const store = new MemorySealingStore();
    // The host writes its sealing file just after the relay welcomes it.
    const { link } = await waitUntil(
      () =>
        pairDeviceWithHost({ relay: relay.url, dataDir, role: 'editor' }).catch(() => undefined),
      'the host to seal with its relay',
    );
    const { token } = await pairWithHost(link, { store, name });
    await waitForSessionKey(relay.url, token, session.id);
    return { token, device: await DeviceSealing.load(store, { baseUrl: relay.url, token }) };
  };
  const laptop = await paired('laptop');
  const desktop = await paired('desktop');
  const wsUrl = relay.wsUrl;
  const a = emulatedTerminal();
  const b = emulatedTerminal();
  const attach = (term: typeof a, on: typeof laptop) =>
    attachTerminal({
      wsUrl,
      token: on.token,
      sessionId: session.id,
      readOnly: false,
      stdin: term.stdin,
      stdout: term.stdout,
      sealing: () => on.device.session(session.id, hostId),
    });
  const attached = [attach(a, laptop), attach(b, desktop)];
  t.after(async () => {
    a.stdin.write(DETACH_KEY);
    b.stdin.write(DETACH_KEY);
    await Promise.all(attached);
    a.dispose();
    b.dispose();
    await close();
    await relay.stop();
  });
  await waitUntil(() => a.text().includes('$') && b.text().includes('$'), 'both prompts', 15_000);

  // A runs a program that asks for the cursor position; both terminals answer it. The relay
  // sees only sealed keys: what tells it an answer is the clear copy of `report` beside it.
  a.stdin.write(`printf '\\033[6n'; read -rs -d R ans; printf 'got%q\\n' "$ans"\r`);
  const cpr = /\x1b\[\d+;\d+R/;
  await waitUntil(
    () => [a, b].every((term) => term.sent.some((d) => cpr.test(d))),
    'both terminals to answer',
    15_000,
  );
  await waitUntil(() => /got\$'\\E\[\d+;\d+'/.test(a.text()), 'the program to read it', 15_000);
  b.stdin.write('echo b-typed\r');
  await waitUntil(() => a.text().includes('b-typed'), 'what b typed', 15_000);
  // B's keys went out after its answer on the same socket, so the relay has handled both.
  const stored = await storedInputs(wsUrl, laptop.token, session.id);
  assert.deepEqual(
    stored.map((i) => i.report === true),
    [false, true, false],
    'the question, one answer (a report), what b typed: the other answer is not stored',
  );
  assert.ok(
    stored.every((i) => i.payload.sealed !== undefined),
    'every input is sealed',
  );
});
