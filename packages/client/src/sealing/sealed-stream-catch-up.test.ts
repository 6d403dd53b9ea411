import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import type { SessionInfo, StreamMessage } from '@baton/protocol';
import {
  startServer,
  type InputEvent,
  type Runner,
  type RunnerContext,
  type RunnerFactory,
} from '@baton/server';
import { startWelcomedHost, waitForSessionKey, waitUntil } from '@baton/server/testing';
import {
  encodePairingFragment,
  importDeviceIdentity,
  newPairingSecret,
  type ExportedDeviceIdentity,
} from '@baton/seal';
import { BatonClient } from '../baton-client.js';
import { createPairing } from '../pairing-api.js';
import { fetchJson } from '../testing/fetch-json.js';
import { tempDataDir } from '../testing/test-server.js';
import type { WebSocketConstructor } from '../web-socket-like.js';
import { MemorySealingStore } from './memory-sealing-store.js';
import { pairWithHost } from './pair-with-host.js';

/**
 * Integration (issue #13): a real relay (SQLite), a real sealing host whose agent streams a
 * reply and stops halfway until the test lets it go on, and two devices paired by link, each
 * a BatonClient with the sealing option over a real WebSocket. The device that subscribes
 * mid-reply gets the fragments the relay kept (it cannot read them) and shows the text so far;
 * after the reply it holds the final text once. A device that subscribes after the reply gets
 * the event and no fragment.
 */

const FIRST = 'The sealed reply ';
const SECOND = 'streams on, ';
const LAST = 'and ends.';

/** An agent that streams two fragments, waits for `goOn`, streams the last and commits. */
function pausingAgent() {
  let paused = false;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const factory: RunnerFactory = {
    kind: 'claude',
    create: (ctx: RunnerContext): Runner => ({
      start: () => ctx.setStatus('idle'),
      input: async (event: InputEvent) => {
        const turnId = `turn-${event.seq}`;
        const messageId = `${turnId}-reply`;
        await ctx.emit([
          { type: 'agent.turn.started', data: { turnId, inputIds: [event.data.inputId] } },
        ]);
        ctx.stream(messageId, 'text', FIRST);
        ctx.stream(messageId, 'text', SECOND);
        paused = true;
        void gate.then(async () => {
          ctx.stream(messageId, 'text', LAST);
          await ctx.emit([
            { type: 'agent.text', data: { messageId, text: FIRST + SECOND + LAST } },
          ]);
          await ctx.emit([{ type: 'agent.turn.ended', data: { turnId, outcome: 'completed' } }]);
        });
      },
      interrupt: () => Promise.resolve(),
      resize: () => {},
      stop: () => Promise.resolve(),
    }),
  };
  return { factory, isPaused: () => paused, goOn: () => release() };
}

const json = fetchJson;

test('a device that subscribes mid-reply in a sealed session sees the reply streamed so far, then the final text once', async (t) => {
  const dir = tempDataDir(t);
  const relay = await startServer({
    dataDir: join(dir, 'relay'),
    port: 0,
    logLevel: 'error',
    relay: true,
  });
  t.after(() => relay.close());
  const agent = pausingAgent();
  const hostDir = join(dir, 'host');
  const { hostId, close } = await startWelcomedHost(relay, {
    name: 'desk',
    dataDir: hostDir,
    runners: [agent.factory],
  });
  t.after(close);

  // Two devices pair with the host by link, as `baton host pair` makes it.
  const exported = JSON.parse(
    readFileSync(join(hostDir, 'host-identity.json'), 'utf8'),
  ) as ExportedDeviceIdentity;
  const hostKeys = (await importDeviceIdentity({ ...exported, deviceId: hostId! })).publicKeys;
  const codes = await Promise.all(
    ['phone', 'desktop', 'late'].map(
      async () => (await createPairing(relay.url, relay.ownerToken, { role: 'owner' })).code,
    ),
  );
  const secrets = codes.map(() => newPairingSecret());
  writeFileSync(
    join(hostDir, 'pending-pairings.json'),
    JSON.stringify(
      codes.map((c, i) => ({ code: c, secret: secrets[i], expiresAt: Date.now() + 600_000 })),
    ),
    { mode: 0o600 },
  );
  const devices = await Promise.all(
    ['phone', 'desktop', 'late'].map(async (name, i) => {
      const store = new MemorySealingStore();
      const link = `${relay.url}/pair#${encodePairingFragment({ code: codes[i]!, host: hostKeys, pairingSecret: secrets[i]! })}`;
      return { store, ...(await pairWithHost(link, { store, name })) };
    }),
  );

  const created = await json<{ session: SessionInfo }>(
    `${relay.url}/api/sessions`,
    relay.ownerToken,
    'POST',
    { kind: 'claude', config: { host: 'desk' } },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const sessionId = created.body.session.id;
  assert.ok(created.body.session.sealed, 'the session is sealed');
  for (const d of devices) await waitForSessionKey(relay.url, d.token, sessionId);

  const diagnostics: string[] = [];
  const clientOf = async (d: (typeof devices)[number]) => {
    const client = new BatonClient({
      url: relay.wsUrl,
      token: d.token,
      mode: 'headless',
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      sealing: { store: d.store },
    });
    t.after(() => client.close());
    client.on('error', (e) => diagnostics.push(e.message));
    const streamed: StreamMessage[] = [];
    client.on('stream', (m) => streamed.push(m));
    client.connect();
    await client.whenConnected(10_000);
    // Subscribed once the client knows the session is sealed and by which host.
    await waitUntil(() => client.sessions.get(sessionId), 'the client lists the session');
    return { client, streamed, session: client.subscribe(sessionId) };
  };
  const textOf = (s: ReturnType<BatonClient['subscribe']>) =>
    s.getSnapshot().streams.map((b) => b.text);
  const finals = (s: ReturnType<BatonClient['subscribe']>) =>
    s
      .getSnapshot()
      .events.filter((e) => e.type === 'agent.text')
      .map((e) => (e.data as { text: string }).text);

  // The phone asks; the agent streams half its reply and stops there.
  const phone = await clientOf(devices[0]!);
  await waitUntil(() => phone.session.status === 'live', 'the phone is live');
  phone.client.send(sessionId, { kind: 'message', text: 'tell me' });
  await waitUntil(() => agent.isPaused(), 'the agent streams half its reply and waits');
  await waitUntil(
    () => textOf(phone.session)[0] === FIRST + SECOND,
    'the phone, live, shows the half streamed so far',
  );

  // The desktop subscribes now, mid-reply: it gets the fragments the relay kept.
  const desktop = await clientOf(devices[1]!);
  const shown = new Set<string>();
  desktop.session.subscribe(() => {
    for (const text of textOf(desktop.session)) shown.add(text);
  });
  await waitUntil(
    () => textOf(desktop.session)[0] === FIRST + SECOND,
    'the desktop, subscribed mid-reply, shows the reply streamed so far',
  );
  assert.deepEqual(finals(desktop.session), [], 'before the reply ends');
  assert.equal(desktop.session.status, 'live');

  // The reply goes on and ends: the desktop has the final text once, and no stream left.
  agent.goOn();
  await waitUntil(
    () => finals(desktop.session).length === 1 && textOf(desktop.session).length === 0 && true,
    'the desktop holds the final text',
  );
  assert.deepEqual(finals(desktop.session), [FIRST + SECOND + LAST]);
  assert.equal(desktop.streamed.at(-1)?.delta, LAST, 'the live fragment after the kept ones');
  for (const text of shown)
    assert.ok(
      (FIRST + SECOND + LAST).startsWith(text),
      `the desktop only ever showed a beginning of the reply, never a repeat: ${text}`,
    );
  await waitUntil(
    () => finals(phone.session).length === 1 && textOf(phone.session).length === 0 && true,
    'the phone holds the final text',
  );

  // A device that subscribes after the reply gets its event, and no fragment of it.
  const late = await clientOf(devices[2]!);
  await waitUntil(() => finals(late.session).length === 1 && true, 'the late device has the reply');
  await waitUntil(
    () => late.session.getSnapshot().events.some((e) => e.type === 'agent.turn.ended'),
    'the late device has the turn end',
  );
  // A round trip on the late device's connection, asked once it applied the replay: the relay
  // sent any kept fragment as it turned live, right after the replay, so before this event.
  await late.client.renameSession(sessionId, 'after the reply');
  await waitUntil(
    () => late.session.getSnapshot().events.some((e) => e.type === 'session.renamed'),
    'the late device has the rename',
  );
  assert.deepEqual(late.streamed, [], 'the relay forgot the fragments when the reply was stored');
  assert.deepEqual(diagnostics, []);
});
