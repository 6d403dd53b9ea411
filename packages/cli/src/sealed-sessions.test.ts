import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import WebSocket from 'ws';
import {
  BatonClient,
  DeviceSealing,
  MemorySealingStore,
  VERIFY_FAILED,
  pairWithHost,
  type BatonError,
  type WebSocketConstructor,
} from '@baton/client';
import type { LogEvent, SessionInfo } from '@baton/protocol';
import { pairDeviceWithHost, startHost } from '@baton/server';
import {
  BASH_TERMINAL,
  startTestServer,
  startWelcomedHost,
  waitForSessionKey,
  waitUntil,
  type WelcomedHost,
} from '@baton/server/testing';
import { CLEAN_ENV, MAIN, runBaton } from './run-baton.test-helper.js';
import { attachTerminal, DETACH_KEY } from './attach/terminal-attach.js';

/**
 * Sealed sessions end to end: a real relay, a real `baton host` with a bash terminal, and two
 * devices paired by link — one through the SDK (`pairWithHost` + `BatonClient` with the sealing
 * option), one through the CLI (`baton join`, then `send` and `tail`). Each reads what the
 * other typed, opened on the device; nothing is opened anywhere else.
 */

type Relay = Awaited<ReturnType<typeof startTestServer>>;

async function api<T>(relay: Relay, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(relay.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** `baton host pair` on the host machine: the link a new device joins with. */
async function hostLink(relay: Relay, hostDir: string): Promise<string> {
  return (await pairDeviceWithHost({ relay: relay.url, dataDir: hostDir, role: 'editor' })).link;
}

const outputOf = (events: readonly LogEvent[]) =>
  events.flatMap((e) => (e.type === 'terminal.output' ? [e.data.data] : [])).join('');

test('devices paired by link through the SDK and the CLI read a sealed terminal and type into it', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-sealed-'));
  const relay = await startTestServer({ relay: true });
  const owner = await api<{ code: string }>(relay, relay.ownerToken, 'POST', '/api/pairings', {
    role: 'owner',
  });
  const hostDir = join(home, 'host');
  let hostId: string | undefined;
  const host = await startHost({
    relay: relay.url,
    dataDir: hostDir,
    code: owner.body.code,
    name: 'laptop',
    logLevel: 'silent',
    onOnline: (id) => (hostId = id),
  });
  t.after(async () => {
    await host.close();
    await relay.stop();
    rmSync(home, { recursive: true, force: true });
  });
  await waitUntil(() => hostId, 'the relay welcomes the host');
  const created = await api<{ session: SessionInfo }>(
    relay,
    relay.ownerToken,
    'POST',
    '/api/sessions',
    { kind: 'terminal', config: { ...BASH_TERMINAL, host: 'laptop' } },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const session = created.body.session;
  assert.equal(session.sealed?.hostId, hostId, 'a session on a host is sealed');

  // The SDK device: pairs by link, then sees plaintext as for any session.
  const store = new MemorySealingStore();
  const phone = await pairWithHost(await hostLink(relay, hostDir), {
    store,
    name: 'phone',
  });
  assert.equal(phone.hostId, hostId);
  assert.deepEqual(await store.hostKeys(hostId!), (await store.hosts())[0]);
  await waitForSessionKey(relay.url, phone.token, session.id);
  const errors: BatonError[] = [];
  const client = new BatonClient({
    url: relay.url.replace(/^http/, 'ws') + '/v1/ws',
    token: phone.token,
    mode: 'cli',
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    sealing: { store },
  });
  t.after(() => client.close());
  client.on('error', (e) => errors.push(e));
  client.connect();
  const view = client.subscribe(session.id);
  const sent = client.send(session.id, { kind: 'terminal', data: 'echo SDK-$((40+2))\r' });
  await sent.confirmed;
  await waitUntil(
    () => outputOf(view.getSnapshot().events).includes('SDK-42'),
    'the SDK device reads the output of what it typed',
    15_000,
  );
  // Its own input comes back opened, exactly as it was typed.
  const typed = view
    .getSnapshot()
    .events.find((e) => e.type === 'input' && e.data.inputId === sent.inputId);
  assert.deepEqual(typed?.type === 'input' && typed.data.payload, {
    kind: 'terminal',
    data: 'echo SDK-$((40+2))\r',
  });

  // The CLI device: baton join, then send and tail with the stored keys.
  const env = { ...CLEAN_ENV, BATON_HOME: join(home, 'cli') };
  const joined = await runBaton(['join', await hostLink(relay, hostDir)], env);
  assert.equal(joined.code, 0, joined.stderr);
  assert.match(joined.stdout, new RegExp(`joined host ${hostId}`));
  const keyFile = /keys\s+(\S+)/.exec(joined.stdout)?.[1];
  assert.ok(keyFile, joined.stdout);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'the CLI keeps its keys 0600');
  const devices = JSON.parse(readFileSync(join(home, 'cli', 'cli-device.json'), 'utf8')) as Record<
    string,
    { token: string }
  >;
  await waitForSessionKey(relay.url, devices[relay.url]!.token, session.id);

  const ls = await runBaton(['ls', '--url', relay.url], env);
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, new RegExp(session.id));
  const send = await runBaton(['send', '--url', relay.url, session.id, 'echo CLI-$((2+3))'], env);
  assert.equal(send.code, 0, send.stderr);
  await waitUntil(
    () => outputOf(view.getSnapshot().events).includes('CLI-5'),
    'the SDK device reads what the CLI typed',
    15_000,
  );

  // baton tail opens the history and follows it: the SDK's input and output, in plaintext.
  const tail = spawn(process.execPath, [MAIN, 'tail', '--url', relay.url, '--json', session.id], {
    env: Object.fromEntries(
      Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined),
    ),
  });
  let tailed = '';
  let tailErr = '';
  tail.stdout.on('data', (d: Buffer) => (tailed += d.toString()));
  tail.stderr.on('data', (d: Buffer) => (tailErr += d.toString()));
  t.after(() => tail.kill('SIGKILL'));
  await waitUntil(
    () => tailed.includes('SDK-42') && tailed.includes('CLI-5') && tailed.includes('SDK-$((40+2))'),
    `baton tail prints the opened log (${tailErr})`,
    15_000,
  );
  assert.ok(!tailed.includes('"sealed"'), 'tail prints no envelope');
  tail.kill('SIGINT');

  // baton attach's terminal link: the screen is rebuilt from the opened history, keys typed
  // are sealed, and their output comes back opened.
  const stdin = new PassThrough();
  const stdout = Object.assign(new PassThrough(), { columns: 80, rows: 24 });
  let screen = '';
  stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const device = await DeviceSealing.load(store, { baseUrl: relay.url, token: phone.token });
  const attached = attachTerminal({
    wsUrl: relay.url.replace(/^http/, 'ws') + '/v1/ws',
    token: phone.token,
    sessionId: session.id,
    readOnly: false,
    stdin,
    stdout,
    sealing: () => device.session(session.id, hostId!),
  });
  await waitUntil(() => screen.includes('CLI-5'), 'attach shows the opened history', 15_000);
  stdin.write('echo ATT-$((3*3))\r');
  await waitUntil(() => screen.includes('ATT-9'), 'attach shows what it typed, opened', 15_000);
  assert.ok(!screen.includes('failed to verify'), screen);
  stdin.write(DETACH_KEY);
  assert.equal((await attached).reason, 'detached');

  assert.deepEqual(
    errors.filter((e) => e.code === VERIFY_FAILED).map((e) => e.message),
    [],
  );
});

test('baton join of a second host at the same relay adds it to the same device, which then types into both', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-sealed-two-'));
  const relay = await startTestServer({ relay: true });
  t.after(async () => {
    for (const h of hosts) await h.close();
    await relay.stop();
    rmSync(home, { recursive: true, force: true });
  });
  const hosts: WelcomedHost[] = [];
  const sessions: SessionInfo[] = [];
  for (const name of ['attic', 'cellar']) {
    hosts.push(await startWelcomedHost(relay, { name, dataDir: join(home, name) }));
    const created = await api<{ session: SessionInfo }>(
      relay,
      relay.ownerToken,
      'POST',
      '/api/sessions',
      { kind: 'terminal', name: `shell on ${name}`, config: { ...BASH_TERMINAL, host: name } },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    sessions.push(created.body.session);
  }

  const env = { ...CLEAN_ENV, BATON_HOME: join(home, 'cli') };
  const first = await runBaton(['join', await hostLink(relay, join(home, 'attic'))], env);
  assert.equal(first.code, 0, first.stderr);
  const second = await runBaton(['join', await hostLink(relay, join(home, 'cellar'))], env);
  assert.equal(second.code, 0, second.stderr);
  const deviceId = /as (d_\S+)/.exec(first.stdout)?.[1];
  assert.ok(deviceId, first.stdout);
  assert.match(
    second.stdout,
    new RegExp(`added host \\S+ at ${relay.url} to this device, ${deviceId}`),
  );
  // One device at the relay, one token, one key file.
  const devices = JSON.parse(readFileSync(join(home, 'cli', 'cli-device.json'), 'utf8')) as Record<
    string,
    { deviceId: string; token: string }
  >;
  assert.equal(devices[relay.url]?.deviceId, deviceId);
  for (const s of sessions) await waitForSessionKey(relay.url, devices[relay.url]!.token, s.id);

  for (const [i, s] of sessions.entries()) {
    const send = await runBaton(['send', '--url', relay.url, s.id, `echo BOTH-$((${i}+40))`], env);
    assert.equal(send.code, 0, send.stderr);
    const tail = spawn(process.execPath, [MAIN, 'tail', '--url', relay.url, '--json', s.id], {
      env: Object.fromEntries(
        Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined),
      ),
    });
    let tailed = '';
    tail.stdout.on('data', (d: Buffer) => (tailed += d.toString()));
    t.after(() => tail.kill('SIGKILL'));
    await waitUntil(
      () => tailed.includes(`BOTH-${i + 40}`),
      `the CLI reads the output on ${s.name}`,
      15_000,
    );
    tail.kill('SIGINT');
  }
});
