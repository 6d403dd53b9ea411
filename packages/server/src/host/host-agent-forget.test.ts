import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HostMessage, RelayMessage, SessionKind } from '@baton/protocol';
import { createLogger } from '../logger.js';
import { ChildRegistry } from '../runners/child-processes/child-registry.js';
import type { RunnerFactory } from '../runners/runner.js';
import { tempDataDir, waitUntil } from '../testing/test-server.js';
import { HostAgent } from './host-agent.js';
import { HostIdentity } from './host-identity.js';
import { HostState } from './host-state.js';

const SESSION = 's_aaaaaaaaaaaaaaaaaaaa';

// One module's unit test: the relay here is a bare WebSocket server that says only what the
// test scripts, so that it can send what this project's relay never does (a start after a
// forget); the relay and host together are tested in relay/relay-deleted-sessions.test.ts.
test('a host never starts a session again once it forgot it', async (t) => {
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
  const agent = new HostAgent({
    url: `ws://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    token: 'a-token',
    identity: await HostIdentity.load(data.dir),
    dataDir: data.dir,
    factories: new Map<SessionKind, RunnerFactory>([['terminal', factory]]),
    children: new ChildRegistry(data.dir, log),
    state: new HostState(data.dir, log),
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
  const answer = (ref: number) => waitUntil(() => replies.get(ref), `the host answers ${ref}`);
  send({ type: 'host.welcome', version: 6, hostId: 'd_host', name: 'desk' });
  const start = (ref: number): void =>
    send({
      type: 'start',
      ref,
      sessionId: SESSION,
      kind: 'terminal',
      config: {},
      resume: false,
      outAcked: 0,
    });

  start(1);
  assert.equal((await answer(1)).error, undefined);
  assert.equal(starts, 1);
  send({ type: 'forget', ref: 2, sessionId: SESSION });
  assert.equal((await answer(2)).error, undefined);
  start(3);
  assert.equal((await answer(3)).error?.code, 'not_found');
  assert.equal(starts, 1, 'no runner was made for the forgotten session');
});
