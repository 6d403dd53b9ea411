import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import {
  BatonClient,
  MemorySealingStore,
  pairWithHost,
  type WebSocketConstructor,
} from '@baton/client';
import type { SessionInfo } from '@baton/protocol';
import { pairDeviceWithHost, startHost } from '@baton/server';
import {
  TINY_PNG,
  heldTurnAgent,
  startTestServer,
  waitForSessionKey,
  waitUntil,
} from '@baton/server/testing';
import { CLEAN_ENV, runBaton } from './run-baton.test-helper.js';

/**
 * Sealed attachments through the SDK (docs/protocol.md, "Sealed attachments"): a real relay and
 * its SQLite directory, a real host whose conversation runner records what the agent gets, and
 * two devices paired by link, each a `BatonClient` with the sealing option. The phone uploads a
 * photo with `client.uploadAttachment` (sealed because the session is) and sends it; the agent
 * gets the photo's bytes; the laptop reads them with `client.readAttachment`; the relay never
 * held them.
 */

const MARKER = 'SDK-PHOTO-MARKER-91b4';
const CLI_MARKER = 'CLI-PHOTO-MARKER-77c2';
const PHOTO = Buffer.concat([TINY_PNG, Buffer.from(MARKER)]);

function rawBytesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('');
}

test('the SDK seals a photo for a sealed session, the agent gets it, another device opens it', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-sealed-attach-'));
  const relayDir = join(home, 'relay');
  const relay = await startTestServer({ relay: true, dataDir: relayDir });
  const ownerCode = await fetch(`${relay.url}/api/pairings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'owner' }),
  });
  const hostDir = join(home, 'host');
  const agent = heldTurnAgent();
  let hostId: string | undefined;
  const host = await startHost({
    relay: relay.url,
    dataDir: hostDir,
    code: ((await ownerCode.json()) as { code: string }).code,
    name: 'laptop',
    logLevel: 'silent',
    runners: [agent.factory],
    onOnline: (id) => (hostId = id),
  });
  const clients: BatonClient[] = [];
  t.after(async () => {
    for (const c of clients) await c.close();
    await host.close();
    await relay.stop();
    rmSync(home, { recursive: true, force: true });
  });
  await waitUntil(() => hostId, 'the relay welcomes the host');
  const created = await fetch(`${relay.url}/api/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'claude', config: { host: 'laptop' } }),
  });
  const session = ((await created.json()) as { session: SessionInfo }).session;
  assert.equal(session.sealed?.hostId, hostId, 'the session is sealed');

  /** A device paired by the host's link, connected with its keys. */
  const device = async (name: string) => {
    const store = new MemorySealingStore();
    const { link } = await pairDeviceWithHost({
      relay: relay.url,
      dataDir: hostDir,
      role: 'editor',
    });
    const paired = await pairWithHost(link, { store, name });
    const client = new BatonClient({
      url: relay.url.replace(/^http/, 'ws') + '/v1/ws',
      token: paired.token,
      mode: 'cli',
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      sealing: { store },
    });
    clients.push(client);
    client.connect();
    client.subscribe(session.id);
    // The host wraps the key once it took the introduction: the client opens events then.
    await waitForSessionKey(relay.url, paired.token, session.id);
    return client;
  };
  const phone = await device('phone');
  const laptop = await device('laptop');

  const { attachment } = await phone.uploadAttachment(session.id, PHOTO);
  // Stored, and the relay's files (SQLite and WAL) do not hold the photo.
  assert.ok(!rawBytesUnder(relayDir).includes(MARKER), 'the relay stored the photo’s bytes');
  assert.deepEqual(
    { type: attachment.type, size: attachment.size },
    { type: 'image/png', size: PHOTO.length },
    'the answer names the photo’s own type and size, read on the phone',
  );
  const sent = phone.send(session.id, {
    kind: 'message',
    text: 'what is this?',
    attachments: [{ ...attachment, name: 'photo.png' }],
  });
  await sent.confirmed;
  await waitUntil(() => agent.attachments.length === 1, 'the agent gets the turn', 15_000);
  assert.deepEqual(
    agent.attachments[0]!.map((a) => [a.type, a.name, Buffer.from(a.data)]),
    [['image/png', 'photo.png', PHOTO]],
  );
  agent.endTurn();

  const read = await laptop.readAttachment(session.id, attachment.id);
  assert.equal(read.type, 'image/png');
  assert.deepEqual(Buffer.from(read.data), PHOTO);

  // The CLI: baton join, then baton send --image seals the file with the CLI's own keys.
  const env = { ...CLEAN_ENV, BATON_HOME: join(home, 'cli') };
  const { link } = await pairDeviceWithHost({ relay: relay.url, dataDir: hostDir, role: 'editor' });
  const joined = await runBaton(['join', link], env);
  assert.equal(joined.code, 0, joined.stderr);
  const cliToken = (
    JSON.parse(readFileSync(join(home, 'cli', 'cli-device.json'), 'utf8')) as Record<
      string,
      { token: string }
    >
  )[relay.url]!.token;
  await waitForSessionKey(relay.url, cliToken, session.id);
  const cliPhoto = Buffer.concat([TINY_PNG, Buffer.from(CLI_MARKER)]);
  const file = join(home, 'from-cli.png');
  writeFileSync(file, cliPhoto);
  const sentByCli = await runBaton(
    ['send', '--url', relay.url, session.id, 'and this one?', '--image', file],
    env,
  );
  assert.equal(sentByCli.code, 0, sentByCli.stderr);
  await waitUntil(() => agent.attachments.length === 2, 'the agent gets the CLI’s turn', 15_000);
  assert.deepEqual(
    agent.attachments[1]!.map((a) => [a.type, a.name, Buffer.from(a.data)]),
    [['image/png', 'from-cli.png', cliPhoto]],
  );
  agent.endTurn();

  const raw = rawBytesUnder(relayDir);
  assert.ok(raw.includes('"kind":"attachment"'), 'the relay stored the sealed upload');
  assert.ok(!raw.includes(MARKER), 'the relay’s data directory holds the photo’s bytes');
  assert.ok(!raw.includes(CLI_MARKER), 'the relay’s data directory holds the CLI’s photo');
});
