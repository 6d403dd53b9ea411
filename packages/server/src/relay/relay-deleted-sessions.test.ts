import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { SEALING_FILE } from '../host/host-sealing.js';
import { startHost } from '../host/start-host.js';
import { callApi } from '../testing/http-api.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { startWelcomedHost } from '../testing/relay-host.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

type Relay = Awaited<ReturnType<typeof startTestServer>>;

async function createOn(relay: Relay, host: string): Promise<string> {
  const created = await callApi<{ session: SessionInfo }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/sessions',
    { kind: 'terminal', config: { ...QUIET_TERMINAL, host } },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.session.id;
}

/** A file in the session's folder on the host, as an agent's runner leaves the files it was handed. */
function handedFile(hostDir: string, sessionId: string): string {
  const dir = join(hostDir, 'sessions', sessionId, 'attachments');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'photo.png');
  writeFileSync(file, 'not really a photo');
  return file;
}

const readJson = (file: string): Record<string, Record<string, unknown>> =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;

test('a session deleted on the relay leaves its host: its folder and its keys go, the others stay', async (t) => {
  const relay = await startTestServer({ relay: true });
  const host = await startWelcomedHost(relay, { name: 'laptop' });
  t.after(async () => {
    await host.close();
    await relay.stop();
  });
  const [gone, kept] = [await createOn(relay, 'laptop'), await createOn(relay, 'laptop')];
  const sealing = join(host.dataDir, SEALING_FILE);
  await waitUntil(
    () => existsSync(sealing) && [gone, kept].every((id) => readJson(sealing)['keys']?.[id]),
    'the host keeps both sessions’ keys',
  );
  const [goneFile, keptFile] = [handedFile(host.dataDir, gone), handedFile(host.dataDir, kept)];

  const deleted = await callApi(relay.url, relay.ownerToken, 'DELETE', `/api/sessions/${gone}`);
  assert.equal(deleted.status, 200);
  await waitUntil(
    () => !existsSync(join(host.dataDir, 'sessions', gone)) && !readJson(sealing)['keys']?.[gone],
    'the host removes the deleted session’s folder and keys',
  );
  assert.ok(existsSync(keptFile), 'another session’s files stay');
  assert.ok(readJson(sealing)['keys']?.[kept], 'and its keys');
  assert.ok(!existsSync(goneFile));
});

test('a session deleted while its host was away leaves it at the host’s next connection', async (t) => {
  const relay = await startTestServer({ relay: true });
  const data = tempDataDir('baton-host-');
  const first = await startWelcomedHost(relay, {
    name: 'desk',
    plaintext: true,
    dataDir: data.dir,
  });
  const again: { host?: Awaited<ReturnType<typeof startHost>> } = {};
  t.after(async () => {
    await first.close();
    await again.host?.close();
    await relay.stop();
    data.remove();
  });
  const [gone, kept] = [await createOn(relay, 'desk'), await createOn(relay, 'desk')];
  const c = await ProtocolClient.connect(relay.wsUrl, relay.ownerToken);
  for (const id of [gone, kept]) await c.submit(id, `in-${id}`, { kind: 'terminal', data: 'x' });
  await c.close();
  const state = join(data.dir, 'host-state.json');
  await waitUntil(
    () => existsSync(state) && [gone, kept].every((id) => readJson(state)['taken']?.[id]),
    'the host records the inputs it took',
  );
  const [goneFile, keptFile] = [handedFile(data.dir, gone), handedFile(data.dir, kept)];

  await first.close();
  const deleted = await callApi(relay.url, relay.ownerToken, 'DELETE', `/api/sessions/${gone}`);
  assert.equal(deleted.status, 200);
  assert.ok(existsSync(goneFile), 'the host was away: its files are still there');

  let online = false;
  again.host = await startHost({
    logLevel: 'silent',
    relay: relay.url,
    dataDir: data.dir,
    name: 'desk',
    plaintext: true,
    onOnline: () => (online = true),
  });
  await waitUntil(() => online, 'the host is back');
  await waitUntil(
    () => !existsSync(join(data.dir, 'sessions', gone)) && !readJson(state)['taken']?.[gone],
    'the host removes what it held of the session deleted while it was away',
  );
  assert.ok(existsSync(keptFile), 'another session’s files stay');
  assert.ok(readJson(state)['taken']?.[kept], 'and its inputs taken');
});

test('a host paired again to another relay keeps the sessions of the first', async (t) => {
  const first = await startTestServer({ relay: true });
  const second = await startTestServer({ relay: true });
  const data = tempDataDir('baton-host-');
  const hosts: Array<{ close(): Promise<void> }> = [];
  t.after(async () => {
    for (const h of hosts) await h.close();
    await first.stop();
    await second.stop();
    data.remove();
  });
  const start = async (relay: Relay) => {
    const h = await startWelcomedHost(relay, { name: 'desk', plaintext: true, dataDir: data.dir });
    hosts.push(h);
    return h;
  };
  const state = join(data.dir, 'host-state.json');
  const typeInto = async (relay: Relay, sessionId: string) => {
    const c = await ProtocolClient.connect(relay.wsUrl, relay.ownerToken);
    await c.submit(sessionId, `in-${sessionId}`, { kind: 'terminal', data: 'x' });
    await c.close();
    await waitUntil(
      () => existsSync(state) && readJson(state)['taken']?.[sessionId],
      'the host records the input it took',
    );
  };

  const onFirst = await start(first);
  const old = await createOn(first, 'desk');
  await typeInto(first, old);
  const oldFile = handedFile(data.dir, old);
  await onFirst.close();

  // Paired with the second relay, which never had `old`: it must not be named to it.
  await start(second);
  const other = await createOn(second, 'desk');
  await typeInto(second, other);
  handedFile(data.dir, other);
  const deleted = await callApi(second.url, second.ownerToken, 'DELETE', `/api/sessions/${other}`);
  assert.equal(deleted.status, 200);
  await waitUntil(
    () => !existsSync(join(data.dir, 'sessions', other)),
    'the host removes the session the second relay deleted',
  );
  assert.ok(existsSync(oldFile), 'the first relay’s session keeps its files');
  assert.ok(readJson(state)['taken']?.[old], 'and its inputs taken');
});
