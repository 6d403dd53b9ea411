import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HostMessage, RelayMessage, SessionKind } from '@baton/protocol';
import { createLogger } from '../logger.js';
import { ChildRegistry } from '../runners/child-processes/child-registry.js';
import type { RunnerFactory } from '../runners/runner.js';
import { tempDataDir, waitUntil } from '../testing/test-server.js';
import { HostAgent } from './host-agent.js';
import { HostIdentity } from './host-identity.js';
import { HostSealing } from './host-sealing.js';
import { HostState, pairingOf } from './host-state.js';

const SESSION = 's_aaaaaaaaaaaaaaaaaaaa';

// One module's unit test: the relay here is a bare WebSocket server that says only what the
// test scripts, so that it can send what this project's relay never does (a start after a
// forget); the relay and host together are tested in relay/relay-deleted-sessions.test.ts.
/** A host agent linked to a scripted relay, its terminal runners counted. */
async function hostOnScriptedRelay(
  t: TestContext,
  options: {
    seed?: (state: HostState) => void;
    /** A sealing host: its HostSealing, given to the test before the host starts. */
    sealing?: (sealing: HostSealing) => void;
  } = {},
) {
  const data = tempDataDir('baton-host-');
  const log = createLogger('silent');
  const relay = new WebSocketServer({ port: 0 });
  t.after(() => {
    relay.close();
    data.remove();
  });
  let starts = 0;
  const factory: RunnerFactory = {
    kind: 'terminal',
    create: () => {
      starts++;
      return {
        start: async () => {},
        input: async () => {},
        interrupt: async () => {},
        resize: () => {},
        stop: async () => {},
      };
    },
  };
  const state = new HostState(data.dir, log);
  options.seed?.(state);
  const identity = await HostIdentity.load(data.dir);
  let sealing: HostSealing | undefined;
  if (options.sealing) {
    sealing = await HostSealing.load(data.dir, identity);
    options.sealing(sealing);
  }
  const agent = new HostAgent({
    url: `ws://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    token: 'a-token',
    identity,
    ...(sealing ? { sealing } : {}),
    dataDir: data.dir,
    factories: new Map<SessionKind, RunnerFactory>([['terminal', factory]]),
    children: new ChildRegistry(data.dir, log),
    state,
    log,
    onRefused: () => {},
  });
  t.after(() => agent.close());
  const replies = new Map<number, HostMessage & { type: 'host.reply' }>();
  const [link] = (await Promise.all([once(relay, 'connection'), agent.start()]))[0] as [WebSocket];
  link.on('message', (data) => {
    const frame = JSON.parse(String(data)) as HostMessage;
    if (frame.type === 'host.reply') replies.set(frame.ref, frame);
  });
  const send = (frame: RelayMessage) => link.send(JSON.stringify(frame));
  send({ type: 'host.welcome', version: 6, hostId: 'd_host', name: 'desk' });
  return {
    dir: data.dir,
    state,
    starts: () => starts,
    send,
    answer: (ref: number) => waitUntil(() => replies.get(ref), `the host answers ${ref}`),
    start: (ref: number): void =>
      send({
        type: 'start',
        ref,
        sessionId: SESSION,
        kind: 'terminal',
        config: {},
        resume: false,
        outAcked: 0,
      }),
  };
}

test('a host never starts a session again once it forgot it', async (t) => {
  const host = await hostOnScriptedRelay(t);
  host.start(1);
  assert.equal((await host.answer(1)).error, undefined);
  assert.equal(host.starts(), 1);
  host.send({ type: 'forget', ref: 2, sessionId: SESSION });
  assert.equal((await host.answer(2)).error, undefined);
  host.start(3);
  assert.equal((await host.answer(3)).error?.code, 'not_found');
  assert.equal(host.starts(), 1, 'no runner was made for the forgotten session');
});

test('a host keeps a session another pairing started when this relay says to forget it', async (t) => {
  // Started here under an earlier pairing (another relay's credential) and not running now.
  const host = await hostOnScriptedRelay(t, {
    seed: (state) => state.started(SESSION, pairingOf('an-earlier-token')),
  });
  const folder = join(host.dir, 'sessions', SESSION);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'handed-to-the-agent.txt'), 'kept');
  host.send({ type: 'forget', ref: 1, sessionId: SESSION });
  assert.equal((await host.answer(1)).error, undefined, 'answered, as for any unknown id');
  assert.equal(host.state.isForgotten(SESSION), false);
  assert.ok(host.state.startedUnder(SESSION, pairingOf('an-earlier-token')));
  assert.equal(readFileSync(join(folder, 'handed-to-the-agent.txt'), 'utf8'), 'kept');
  const saved = new HostState(host.dir, createLogger('silent'));
  assert.ok(saved.startedUnder(SESSION, pairingOf('an-earlier-token')), 'its record is kept');
});

test('a sealed start that a forget overtakes while its key is made runs nothing and keeps no key', async (t) => {
  // The key is made only once the test lets it, so the forget lands in that wait every time.
  let keyAsked = false;
  let makeKey!: () => void;
  const keyMayBeMade = new Promise<void>((resolve) => (makeKey = resolve));
  let sealing: HostSealing | undefined;
  const host = await hostOnScriptedRelay(t, {
    sealing: (s) => {
      sealing = s;
      const ensureSession = s.ensureSession.bind(s);
      s.ensureSession = async (sessionId) => {
        keyAsked = true;
        await keyMayBeMade;
        return ensureSession(sessionId);
      };
    },
  });
  host.start(1);
  await waitUntil(() => keyAsked, 'the start to ask for the session key');
  host.send({ type: 'forget', ref: 2, sessionId: SESSION });
  assert.equal((await host.answer(2)).error, undefined);
  makeKey();
  assert.equal((await host.answer(1)).error?.code, 'not_found');
  assert.equal(host.starts(), 0, 'no runner was made for the deleted session');
  assert.equal(sealing?.epochOf(SESSION), 0, 'the key made for it went with it');
  const saved = await HostSealing.load(host.dir, await HostIdentity.load(host.dir));
  assert.equal(saved.epochOf(SESSION), 0, 'and it is not on disk');
});
