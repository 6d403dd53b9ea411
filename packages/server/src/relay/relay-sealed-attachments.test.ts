import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import {
  SEALED_ATTACHMENT_TYPE,
  type LogEvent,
  type MessageAttachment,
  type SessionInfo,
} from '@baton/protocol';
import { openAttachment, sealAttachment } from '@baton/seal';
import { heldTurnAgent } from '../testing/held-turn-agent.js';
import { callApi } from '../testing/http-api.js';
import type { ProtocolClient } from '../testing/protocol-client.js';
import { waitUntil } from '../testing/test-server.js';
import { TINY_PNG } from '../testing/tiny-png.js';
import { sealedRelay, type Device } from './sealed-relay.test-helper.js';

/**
 * Sealed attachments through a relay (docs/protocol.md, "Sealed attachments"): a real relay with
 * its SQLite file, a real host and its conversation runner (only the agent process is a stand-in
 * that records what each turn got), devices paired by link. The relay stores envelopes it
 * cannot open; the host opens them for the agent; another device opens them too.
 */

/** In the photo's bytes only (after the PNG's end, where viewers ignore it). */
const MARKER = 'PHOTO-MARKER-5e1d0c';
const PHOTO = Buffer.concat([TINY_PNG, Buffer.from(MARKER)]);

interface Uploaded {
  attachment?: { id: string; type: string; size: number };
  error?: { code: string; message: string };
}

const upload = async (url: string, token: string, sessionId: string, body: Uint8Array) => {
  const res = await fetch(`${url}/api/sessions/${sessionId}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': SEALED_ATTACHMENT_TYPE },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as Uploaded };
};

/** The upload body of `bytes` sealed by `device` for `sessionId` under its newest key there. */
const sealFor = async (device: Device, sessionId: string, bytes: Uint8Array) =>
  (
    await sealAttachment({
      identity: device.identity,
      sessionKey: device.ring.current(sessionId)!,
      counter: device.own.next(sessionId),
      bytes,
    })
  ).body;

/** Sends a sealed chat message naming `attachments`. */
const say = async (
  client: ProtocolClient,
  device: Device,
  sessionId: string,
  inputId: string,
  attachments: MessageAttachment[],
) =>
  client.submit(sessionId, inputId, {
    kind: 'message',
    sealed: await device.seal(sessionId, inputId, { kind: 'message', text: 'look', attachments }),
  });

function rawBytesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('');
}

/** The reasons of `session.status: failed` events (in the clear) the client received. */
const failures = (client: ProtocolClient, sessionId: string): string[] =>
  (client.logs.get(sessionId) ?? []).flatMap((e: LogEvent) =>
    e.type === 'session.status' && e.data.status === 'failed' ? [String(e.data.reason)] : [],
  );

/** A sealed chat session on a host whose agent records its turns; a phone and a laptop paired. */
async function chatOnHost(t: TestContext) {
  const agent = heldTurnAgent();
  const relay = await sealedRelay(t, {
    runners: [agent.factory],
    session: { kind: 'claude', config: {} },
  });
  const phone = await relay.pairDevice('phone');
  const laptop = await relay.pairDevice('laptop');
  return { ...relay, agent, phone, laptop };
}

test('a sealed photo: the agent gets its bytes, another device opens them, the relay stores no byte of it', async (t) => {
  const { agent, relay, relayDir, sessionId, connect, phone, laptop } = await chatOnHost(t);
  const sealed = await sealFor(phone, sessionId, PHOTO);
  const up = await upload(relay.url, phone.token, sessionId, sealed);
  assert.equal(up.status, 201, JSON.stringify(up.body));
  assert.equal(up.body.attachment?.type, SEALED_ATTACHMENT_TYPE, 'stored opaque, not typed');
  const id = up.body.attachment!.id;
  const client = await connect(phone.token);
  await client.subscribe(sessionId);
  await say(client, phone, sessionId, 'm-1', [
    { id, name: 'photo.png', type: 'image/png', size: PHOTO.length },
  ]);
  await waitUntil(() => agent.attachments.length === 1, 'the agent gets the turn');
  assert.deepEqual(
    agent.attachments[0]!.map((a) => [a.type, a.name, Buffer.from(a.data)]),
    [['image/png', 'photo.png', PHOTO]],
    'the agent got the photo’s exact bytes, typed from them by the host',
  );
  agent.endTurn();

  // Another device downloads the envelope and opens it to the same bytes.
  const got = await fetch(`${relay.url}/api/sessions/${sessionId}/attachments/${id}`, {
    headers: { authorization: `Bearer ${laptop.token}` },
  });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), SEALED_ATTACHMENT_TYPE);
  const opened = await openAttachment(new Uint8Array(await got.arrayBuffer()), sessionId, {
    registry: laptop.registry,
    keyRing: laptop.ring,
  });
  assert.deepEqual(Buffer.from(opened.plaintext), PHOTO);

  // The relay's data directory (SQLite file and WAL, raw) holds the envelope, never the photo.
  const raw = rawBytesUnder(relayDir.dir);
  assert.ok(raw.includes(SEALED_ATTACHMENT_TYPE), 'the relay stored the sealed attachment');
  assert.ok(!raw.includes(MARKER), 'the relay stored the photo’s bytes');
  assert.ok(!raw.includes(TINY_PNG.subarray(0, 16).toString('latin1')), 'the relay stored a PNG');

  // After a revocation the key rotates; the attachment sealed under epoch 1 still opens for the
  // host, named by a message sealed under epoch 2.
  assert.equal(
    (
      await callApi(
        relay.url,
        relay.ownerToken,
        'DELETE',
        `/api/devices/${laptop.identity.deviceId}`,
      )
    ).status,
    200,
  );
  await waitUntil(async () => {
    await phone.fetchKeys(relay.url, sessionId);
    return (phone.ring.current(sessionId)?.epoch ?? 0) >= 2;
  }, 'the host rotates the session key');
  await say(client, phone, sessionId, 'm-2', [{ id, name: 'again.png', type: 'image/png' }]);
  await waitUntil(() => agent.attachments.length === 2, 'the agent gets the second turn');
  assert.deepEqual(Buffer.from(agent.attachments[1]![0]!.data), PHOTO);
  assert.deepEqual(failures(client, sessionId), []);
});

test('the relay refuses plaintext and misplaced uploads; the host refuses altered bytes and a false type, and the session goes on', async (t) => {
  const { agent, relay, relayDir, sessionId, connect, phone, laptop } = await chatOnHost(t);
  const count = () => {
    const db = new Database(join(relayDir.dir, 'baton.db'), { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM attachments').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const code = async (token: string, session: string, body: Uint8Array) =>
    (await upload(relay.url, token, session, body)).body.error?.code;

  // The photo in the clear: the session is sealed.
  assert.equal(await code(phone.token, sessionId, PHOTO), 'sealed_session');
  // The laptop's envelope uploaded by the phone (or by the owner): not the uploader's.
  const laptops = await sealFor(laptop, sessionId, PHOTO);
  assert.equal(await code(phone.token, sessionId, laptops), 'invalid_message');
  assert.equal(await code(relay.ownerToken, sessionId, laptops), 'invalid_message');
  // An envelope sealed for another sealed session, uploaded to this one.
  const other = await callApi<{ session: SessionInfo }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/sessions',
    { kind: 'claude', config: { host: 'laptop' } },
  );
  assert.equal(other.status, 201);
  const otherId = other.body.session.id;
  await waitUntil(
    async () => (await phone.fetchKeys(relay.url, otherId)) > 0,
    'the phone gets the other session’s key',
  );
  assert.equal(
    await code(phone.token, sessionId, await sealFor(phone, otherId, PHOTO)),
    'invalid_message',
  );
  // A forged signature: one bit of the ciphertext flipped.
  const good = JSON.parse(Buffer.from(await sealFor(phone, sessionId, PHOTO)).toString()) as {
    ciphertext: string;
  };
  const flipped = Buffer.from(good.ciphertext, 'base64url');
  flipped[0] = flipped[0]! ^ 1;
  const forged = Buffer.from(
    JSON.stringify({ ...good, ciphertext: flipped.toString('base64url') }),
  );
  assert.equal(await code(phone.token, sessionId, forged), 'invalid_message');
  assert.equal(count(), 0, 'nothing refused was stored');

  const client = await connect(phone.token);
  await client.subscribe(sessionId);
  const store = async (bytes: Uint8Array) =>
    (await upload(relay.url, phone.token, sessionId, await sealFor(phone, sessionId, bytes))).body
      .attachment!.id;
  const first = await store(PHOTO);
  await say(client, phone, sessionId, 'ok-1', [{ id: first, type: 'image/png' }]);
  await waitUntil(() => agent.attachments.length === 1, 'a good photo reaches the agent');
  agent.endTurn();

  // The relay's stored bytes altered (one byte of the ciphertext, in its database): the host
  // refuses them and the turn fails, saying why.
  const altered = await store(Buffer.concat([PHOTO, Buffer.from('!')]));
  const db = new Database(join(relayDir.dir, 'baton.db'));
  const row = db.prepare('SELECT data FROM attachments WHERE id = ?').get(altered) as {
    data: Buffer;
  };
  const at = row.data.indexOf('"ciphertext":"') + 20;
  row.data[at] = row.data[at] === 0x41 ? 0x42 : 0x41;
  db.prepare('UPDATE attachments SET data = ? WHERE id = ?').run(row.data, altered);
  db.close();
  await say(client, phone, sessionId, 'bad-1', [{ id: altered, type: 'image/png' }]);
  await waitUntil(() => failures(client, sessionId).length === 1, 'the turn fails');
  assert.match(failures(client, sessionId)[0]!, /not the ones the message names/);

  // Sealed text sent as an image: the host reads the opened bytes, and they are no image.
  const text = await store(Buffer.from('just some notes\n'));
  await say(client, phone, sessionId, 'bad-2', [{ id: text, type: 'image/png' }]);
  await waitUntil(() => failures(client, sessionId).length === 2, 'the turn fails');
  assert.match(failures(client, sessionId)[1]!, /sent as image\/png but its bytes are text\/plain/);
  assert.equal(agent.attachments.length, 1, 'neither reached the agent');

  // The session goes on.
  await say(client, phone, sessionId, 'ok-2', [{ id: first, type: 'image/png' }]);
  await waitUntil(() => agent.attachments.length === 2, 'the next photo reaches the agent');
  assert.deepEqual(Buffer.from(agent.attachments[1]![0]!.data), PHOTO);
});
