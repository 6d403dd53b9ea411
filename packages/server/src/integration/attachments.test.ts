import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { LogEvent, SessionInfo } from '@baton/protocol';
import { callApi } from '../testing/http-api.js';
import { heldTurnAgent } from '../testing/held-turn-agent.js';
import { ProtocolClient, ProtocolError } from '../testing/protocol-client.js';
import { registerDevice } from '../testing/register-device.js';
import { startTestServer, waitUntil } from '../testing/test-server.js';
import type { RunningServer } from '../server.js';
import { TINY_PNG as PNG } from '../testing/tiny-png.js';

/** The start of a ZIP archive: a binary type baton does not take. */
const ZIP = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'), PNG]);
const LIMIT = 4096;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Uploaded {
  attachment?: { id: string; type: string; size: number };
  duplicate?: boolean;
  error?: { code: string; message: string; requiredRole?: string };
}

// Issue 12, "images and files from any device": uploads are stored once by their content, with
// a size limit and a type read from the bytes; messages name them; the agent gets them.
describe('attachments', () => {
  const agent = heldTurnAgent();
  let server: RunningServer & { stop(): Promise<void> };
  let chat: SessionInfo;
  const clients: ProtocolClient[] = [];

  const upload = async (
    token: string,
    sessionId: string,
    body: Buffer | string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Uploaded }> => {
    const res = await fetch(`${server.url}/api/sessions/${sessionId}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    return { status: res.status, body: (await res.json()) as Uploaded };
  };

  before(async () => {
    server = await startTestServer({ runners: [agent.factory], maxAttachmentBytes: LIMIT });
    chat = (
      await callApi<{ session: SessionInfo }>(
        server.url,
        server.ownerToken,
        'POST',
        '/api/sessions',
        { kind: 'claude' },
      )
    ).body.session;
  });
  after(async () => {
    for (const c of clients) await c.close();
    await server?.stop();
  });

  test('stores bytes once by their SHA-256, types them by their bytes, serves them immutable', async () => {
    const phone = await registerDevice(server, 'phone');
    // Declared as text: the bytes say PNG, and PNG is what is stored.
    const first = await upload(phone, chat.id, PNG, { 'content-type': 'text/plain' });
    assert.equal(first.status, 201);
    assert.deepEqual(first.body, {
      attachment: { id: sha256(PNG), type: 'image/png', size: PNG.length },
      duplicate: false,
    });
    const again = await upload(server.ownerToken, chat.id, PNG);
    assert.equal(again.status, 200, 'the same bytes from another device are not stored again');
    assert.deepEqual(again.body, { ...first.body, duplicate: true });

    const url = `${server.url}/api/sessions/${chat.id}/attachments/${sha256(PNG)}`;
    const got = await fetch(url, { headers: { authorization: `Bearer ${phone}` } });
    assert.equal(got.status, 200);
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), PNG);
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.match(got.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    const etag = got.headers.get('etag') ?? '';
    assert.equal(etag, `"${sha256(PNG)}"`);
    const cached = await fetch(url, {
      headers: { authorization: `Bearer ${phone}`, 'if-none-match': etag },
    });
    assert.equal(cached.status, 304);

    const text = Buffer.from('# notes\nünïcode is text\n');
    const stored = await upload(phone, chat.id, text, { 'content-type': 'image/png' });
    assert.equal(stored.body.attachment?.type, 'text/plain');
    const read = await fetch(`${server.url}/api/sessions/${chat.id}/attachments/${sha256(text)}`, {
      headers: { authorization: `Bearer ${phone}` },
    });
    assert.equal(read.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(read.headers.get('content-disposition'), 'attachment');

    const missing = await fetch(
      `${server.url}/api/sessions/${chat.id}/attachments/${'0'.repeat(64)}`,
      { headers: { authorization: `Bearer ${phone}` } },
    );
    assert.equal(missing.status, 404);
  });

  test('refuses an upload over the limit with 413 naming it, whether declared or streamed', async () => {
    const big = Buffer.alloc(LIMIT + 1, 'a');
    const declared = await upload(server.ownerToken, chat.id, big);
    assert.equal(declared.status, 413);
    assert.equal(declared.body.error?.code, 'attachment_too_large');
    assert.match(declared.body.error?.message ?? '', new RegExp(`${LIMIT} bytes`));

    // Chunked: no length is declared, so the limit is enforced while reading.
    const streamed = await new Promise<{ status: number; body: Uploaded }>((resolve, reject) => {
      const req = request(
        `${server.url}/api/sessions/${chat.id}/attachments`,
        { method: 'POST', headers: { authorization: `Bearer ${server.ownerToken}` } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Uploaded }),
          );
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write(Buffer.alloc(1000, 'b'));
      req.end();
    });
    assert.equal(streamed.status, 413);
    assert.equal(streamed.body.error?.code, 'attachment_too_large');
    assert.match(streamed.body.error?.message ?? '', /limit is 4 KiB/);

    const empty = await upload(server.ownerToken, chat.id, Buffer.alloc(0));
    assert.equal(empty.status, 400);
    assert.match(empty.body.error?.message ?? '', /empty/);
    const fine = await upload(server.ownerToken, chat.id, Buffer.alloc(LIMIT, 'c'));
    assert.equal(fine.status, 201, 'exactly the limit is accepted, and the server goes on');
  });

  test('refuses bytes of a type it does not take with 415 listing the types', async () => {
    for (const body of [ZIP, Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x80])]) {
      const refused = await upload(server.ownerToken, chat.id, body, {
        'content-type': 'image/png',
      });
      assert.equal(refused.status, 415);
      assert.equal(refused.body.error?.code, 'unsupported_attachment_type');
      assert.match(
        refused.body.error?.message ?? '',
        /image\/png, image\/jpeg.*application\/pdf, text\/plain/,
      );
    }
    const terminal = (
      await callApi<{ session: SessionInfo }>(
        server.url,
        server.ownerToken,
        'POST',
        '/api/sessions',
        { kind: 'terminal', config: { shell: '/bin/sh', args: ['-c', 'sleep 100000'] } },
      )
    ).body.session;
    const toTerminal = await upload(server.ownerToken, terminal.id, PNG);
    assert.equal(toTerminal.status, 400);
    assert.match(toTerminal.body.error?.message ?? '', /agent/);
  });

  test('a sealed upload to a session that is not sealed is refused with 400', async () => {
    const envelope = JSON.stringify({ v: 1, kind: 'attachment', id: 'a.x', ciphertext: 'AAAA' });
    const refused = await upload(server.ownerToken, chat.id, envelope);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error?.code, 'bad_request');
    assert.match(refused.body.error?.message ?? '', /not sealed/);
  });

  test('uploading needs the right to send input to the session; reading, to read it', async () => {
    const anonymous = await fetch(`${server.url}/api/sessions/${chat.id}/attachments`, {
      method: 'POST',
      body: new Uint8Array(PNG),
    });
    assert.equal(anonymous.status, 401);
    const viewer = await callApi<{ token: string }>(
      server.url,
      server.ownerToken,
      'POST',
      '/api/devices',
      { name: 'wall screen', role: 'viewer' },
    );
    const refused = await upload(viewer.body.token, chat.id, PNG);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.requiredRole, 'editor');
    const read = await fetch(`${server.url}/api/sessions/${chat.id}/attachments/${sha256(PNG)}`, {
      headers: { authorization: `Bearer ${viewer.body.token}` },
    });
    assert.equal(read.status, 200, 'a viewer sees the pictures of the conversation');

    // An editor narrowed to viewer on this session, as for input.
    const editor = await callApi<{ deviceId: string; token: string }>(
      server.url,
      server.ownerToken,
      'POST',
      '/api/devices',
      { name: 'tablet', role: 'editor' },
    );
    const narrowed = await callApi(
      server.url,
      server.ownerToken,
      'PUT',
      `/api/devices/${editor.body.deviceId}/sessions/${chat.id}`,
      { role: 'viewer' },
    );
    assert.equal(narrowed.status, 200);
    assert.equal((await upload(editor.body.token, chat.id, PNG)).status, 403);
  });

  test('a message names its attachments: the log has their type and size, the agent their bytes', async () => {
    const phone = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'mobile');
    clients.push(phone);
    await phone.subscribe(chat.id, 0);
    await upload(server.ownerToken, chat.id, PNG);
    const ref = { id: sha256(PNG), name: 'dot.png', type: 'text/plain', size: 1 };
    const text = { kind: 'message' as const, text: 'what is this?' };

    // Sent together, without waiting: the second overtakes nothing although the first is
    // looked up in the store first.
    const [a, b] = await Promise.all([
      phone.submit(chat.id, 'with-image', { ...text, attachments: [ref] }),
      phone.submit(chat.id, 'plain', { kind: 'message', text: 'and this' }),
    ]);
    assert.ok(a.seq < b.seq, 'the messages are stored in the order they were sent');
    await phone.waitForSeq(chat.id, b.seq);
    const stored = (phone.logs.get(chat.id) ?? []).find(
      (e): e is LogEvent & { type: 'input' } =>
        e.type === 'input' && e.data.inputId === 'with-image',
    );
    assert.deepEqual(
      stored?.data.payload,
      {
        ...text,
        attachments: [{ id: ref.id, name: 'dot.png', type: 'image/png', size: PNG.length }],
      },
      'type and size come from the store, not from the client',
    );
    const retry = await phone.submit(chat.id, 'with-image', { ...text, attachments: [ref] });
    assert.deepEqual(retry, { seq: a.seq, duplicate: true }, 'a retry is the same input');

    await waitUntil(() => agent.attachments.length >= 1, 'the turn to reach the agent');
    const [sent] = agent.attachments[0]!;
    assert.equal(sent?.type, 'image/png');
    assert.equal(sent?.name, 'dot.png');
    assert.deepEqual(sent?.data, PNG, 'the agent gets the same bytes');
    assert.deepEqual(readFileSync(sent!.path), PNG, 'and a file holding them');
    assert.ok(sent!.path.endsWith(`${ref.id}.png`), 'named by content, never by the device');

    const unknown = { id: 'ab'.repeat(32) };
    const refused = await phone.submit(chat.id, 'ghost', { ...text, attachments: [unknown] }).then(
      () => 'accepted',
      (err: unknown) => (err instanceof ProtocolError ? err : undefined),
    );
    assert.ok(refused instanceof ProtocolError);
    assert.equal(refused.code, 'not_found');
    assert.match(refused.message, /upload it first/);
    const overHttp = await callApi(
      server.url,
      server.ownerToken,
      'POST',
      `/api/sessions/${chat.id}/inputs`,
      { inputId: 'ghost2', payload: { ...text, attachments: [unknown] } },
    );
    assert.equal(overHttp.status, 404);

    // The conversation goes on.
    const after = await phone.submit(chat.id, 'after', { kind: 'message', text: 'still here' });
    assert.equal(after.duplicate, false);
    await waitUntil(() => {
      agent.endTurn();
      return agent.turns.some((t) => t.includes('still here'));
    }, 'a turn to take the message sent after the refusal');
  });

  test('an attachment goes with the last session that uses it; a session reads only its own', async () => {
    const api = <T>(method: string, path: string, body?: unknown) =>
      callApi<T>(server.url, server.ownerToken, method, path, body);
    const create = async () =>
      (await api<{ session: SessionInfo }>('POST', '/api/sessions', { kind: 'claude' })).body
        .session;
    const read = async (sessionId: string, id: string) =>
      (
        await fetch(`${server.url}/api/sessions/${sessionId}/attachments/${id}`, {
          headers: { authorization: `Bearer ${server.ownerToken}` },
        })
      ).status;
    const name = (sessionId: string, inputId: string, id: string) =>
      api('POST', `/api/sessions/${sessionId}/inputs`, {
        inputId,
        payload: { kind: 'message', text: 'look', attachments: [{ id }] },
      });
    // Bytes no other test uploads: a PNG with a text chunk of its own after it.
    const shared = Buffer.concat([PNG, Buffer.from('shared')]);
    const lone = Buffer.concat([PNG, Buffer.from('lone')]);
    const [uploadedTo, namedIn, bystander] = [await create(), await create(), await create()];
    assert.equal((await upload(server.ownerToken, uploadedTo.id, shared)).status, 201);
    assert.equal((await upload(server.ownerToken, uploadedTo.id, lone)).status, 201);
    assert.equal(await read(bystander.id, sha256(shared)), 404, 'not its attachment');
    assert.equal((await name(namedIn.id, 'names-it', sha256(shared))).status, 201);
    assert.equal(await read(namedIn.id, sha256(shared)), 200, 'named by its message: its own');
    const handed = await waitUntil(
      () => agent.attachments.flat().find((a) => a.path.includes(namedIn.id)),
      'the turn to hand the attachment to the agent as a file',
    );
    assert.ok(existsSync(handed.path));

    assert.equal((await api('DELETE', `/api/sessions/${uploadedTo.id}`)).status, 200);
    assert.equal(await read(namedIn.id, sha256(shared)), 200, 'kept for the session naming it');
    const late = await name(namedIn.id, 'names-lone', sha256(lone));
    assert.equal(late.status, 404, 'only its deleted session had it: deleted with it');

    assert.equal((await api('DELETE', `/api/sessions/${namedIn.id}`)).status, 200);
    assert.equal(existsSync(dirname(dirname(handed.path))), false, 'its folder went with it');
    const again = await upload(server.ownerToken, bystander.id, shared);
    assert.equal(again.status, 201, 'stored anew: the last session using it took it along');
    assert.equal(again.body.duplicate, false);
  });
});
