import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import type { RunningServer } from '../server.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { BASH_TERMINAL, startTestServer, waitUntil } from '../testing/test-server.js';

interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** Sends bytes exactly as given on a fresh TCP connection and reads until the server closes. */
function raw(port: number, request: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer to ${JSON.stringify(String(request).slice(0, 80))}`));
    }, 10_000);
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', body = ''] = data.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head, body });
    });
    socket.write(request);
  });
}

const get = (path: string, host = '127.0.0.1', method = 'GET') =>
  `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

describe('the HTTP edge answers every malformed request with a 4xx and stays up', () => {
  let server: RunningServer & { stop(): Promise<void> };
  let webRoot: string;
  let client: ProtocolClient;
  let session: SessionInfo;

  before(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'baton-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>baton</title>');
    server = await startTestServer({ webRoot, maxBodyBytes: 64 * 1024 });
    client = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    ({ session } = await client.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      config: BASH_TERMINAL,
    }));
    await client.subscribe(session.id, 0);
  });
  after(async () => {
    await client.close();
    await server.stop();
    rmSync(webRoot, { recursive: true, force: true });
  });

  const expectJsonError = (res: RawResponse, status: number, message?: RegExp) => {
    assert.equal(res.status, status, res.headers + '\n' + res.body);
    assert.match(res.headers, /content-type: application\/json/i);
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    assert.ok(body.error.code, 'the error has a code');
    if (message) assert.match(body.error.message, message);
  };

  test('malformed percent escapes, // and dot segments get 400 with a clear JSON error', async () => {
    for (const path of ['/%zz', '/%ff', '/%', '/api/%zz', '/app/%E0%A4%A', '/x?q=%zz'])
      expectJsonError(await raw(server.port, get(path)), 400, /percent escape/);
    expectJsonError(await raw(server.port, get('//')), 400, /starts with \/\//);
    expectJsonError(await raw(server.port, get('//evil.example/api/health')), 400);
    for (const path of ['/..%2f..', '/../etc/passwd', '/%2e%2e/x', '/a/%00', '/a%5c..'])
      expectJsonError(await raw(server.port, get(path)), 400, /\.\.|slash|NUL/);
  });

  test('bad request targets, Host headers and methods get the right 4xx', async () => {
    expectJsonError(await raw(server.port, get('/' + 'a'.repeat(9000))), 414, /longer than/);
    // Beyond Node's header limit the parser itself refuses; still a JSON 4xx.
    expectJsonError(await raw(server.port, get('/' + 'a'.repeat(20_000))), 431);
    expectJsonError(await raw(server.port, get('http://evil.example/api/health')), 400);
    expectJsonError(await raw(server.port, get('*', '127.0.0.1', 'OPTIONS')), 400);
    for (const host of ['a b', 'evil.example/path', 'user@evil', '%41', '[::1', 'x:99999'])
      expectJsonError(await raw(server.port, get('/api/health', host)), 400, /Host header/);
    const noHost = 'GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n';
    expectJsonError(await raw(server.port, noHost), 400, /Host header is missing/);
    const oldHttp = 'GET /api/health HTTP/1.0\r\n\r\n';
    assert.equal((await raw(server.port, oldHttp)).status, 200, 'HTTP/1.0 needs no Host');
    for (const host of ['localhost', 'my_service:7777', 'baton.example.org.', '[::1]:80'])
      assert.equal((await raw(server.port, get('/api/health', host))).status, 200, host);
    expectJsonError(await raw(server.port, get('/api/health', '127.0.0.1', 'FROBNICATE')), 400);
    expectJsonError(await raw(server.port, 'GET\x00 /\r\n\r\n'), 400);
    expectJsonError(await raw(server.port, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'), 400);
    const wrongMethod = await raw(server.port, get('/api/sessions', '127.0.0.1', 'PUT'));
    expectJsonError(wrongMethod, 405, /not allowed/);
    assert.match(wrongMethod.headers, /allow: GET, POST/i);
  });

  test('malformed WebSocket handshakes and CONNECT get a JSON 4xx too', async () => {
    const upgrade = (headers: Record<string, string>, method = 'GET') =>
      `${method} /v1/ws HTTP/1.1\r\n` +
      Object.entries({
        Host: '127.0.0.1',
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        ...headers,
      })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n';
    expectJsonError(await raw(server.port, upgrade({}, 'POST')), 405, /GET request/);
    expectJsonError(await raw(server.port, upgrade({ Upgrade: 'h2c' })), 400, /Upgrade header/);
    expectJsonError(await raw(server.port, upgrade({ 'Sec-WebSocket-Key': 'short' })), 400, /Key/);
    const version = await raw(server.port, upgrade({ 'Sec-WebSocket-Version': '7' }));
    expectJsonError(version, 400, /Version must be 13/);
    assert.match(version.headers, /sec-websocket-version: 13/i);
    const protocol = upgrade({ 'Sec-WebSocket-Protocol': 'a b, c' });
    expectJsonError(await raw(server.port, protocol), 400, /Protocol/);
    const connect = 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n';
    expectJsonError(await raw(server.port, connect), 405, /CONNECT/);
    // Well-formed handshakes still open: the last test connects afresh.
  });

  test('request bodies over the limit get 413 with JSON, declared or streamed', async () => {
    const declared = await raw(
      server.port,
      `POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${server.ownerToken}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n{"kind":`,
    );
    expectJsonError(declared, 413, /exceeds the limit of 65536 bytes/);
    const chunk = 'x'.repeat(16 * 1024);
    const chunked =
      `POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${server.ownerToken}\r\n` +
      `Transfer-Encoding: chunked\r\n\r\n` +
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(8) +
      '0\r\n\r\n';
    expectJsonError(await raw(server.port, chunked), 413, /exceeds the limit/);
  });

  test('a static file that fails while being read ends that response only', async () => {
    // Stat says a regular file; reading it fails with EIO (a real I/O error, no mock).
    symlinkSync('/proc/self/mem', join(webRoot, 'broken.js'));
    const res = await raw(server.port, get('/broken.js'));
    // The connection is cut (the status line may not even have left): never a partial file
    // presented as complete.
    assert.equal(res.body, '');
    assert.equal((await fetch(server.url + '/api/health')).status, 200);
  });

  test('after all of it the server serves requests and the live terminal still answers', async () => {
    const health = await fetch(server.url + '/api/health');
    assert.equal(health.status, 200);
    const page = await fetch(server.url + '/some/client/route');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>baton/);
    const fresh = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    await fresh.close();
    await client.submit(session.id, 'probe', { kind: 'terminal', data: 'echo edge-$((6*7))\r' });
    await waitUntil(
      () =>
        client.logs
          .get(session.id)
          ?.some((e) => e.type === 'terminal.output' && e.data.data.includes('edge-42')),
      'the terminal to print the computed marker',
    );
  });
});
