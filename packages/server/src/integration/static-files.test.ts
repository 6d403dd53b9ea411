import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { RunningServer } from '../server.js';
import { startTestServer } from '../testing/test-server.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request over real HTTP; the body is returned exactly as sent (never decoded). */
function fetchRaw(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends bytes exactly as given (headers Node's client would refuse) and returns the status. */
function rawStatus(port: number, bytes: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer'));
    }, 10_000);
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0));
    });
    socket.write(bytes);
  });
}

function decode(answer: Answer): string {
  const coding = answer.headers['content-encoding'];
  const body =
    coding === 'br'
      ? brotliDecompressSync(answer.body)
      : coding === 'gzip'
        ? gunzipSync(answer.body)
        : answer.body;
  return body.toString('utf8');
}

// The web app's files over real HTTP: precompressed copies picked by Accept-Encoding, caching
// headers and revalidation, and bad input at this edge (issue 11, bug 12).
describe('static files: encodings, caching and bad input', () => {
  let server: RunningServer & { stop(): Promise<void> };
  let webRoot: string;
  const html = `<!doctype html><title>baton</title>${'<p>padding</p>'.repeat(200)}`;
  const js = `export const x = ${JSON.stringify('a bundle '.repeat(500))};\n`;
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

  /** `name` and its br and gzip copies, as the build writes them. */
  const withCopies = (name: string, text: string): void => {
    writeFileSync(join(webRoot, name), text);
    writeFileSync(join(webRoot, `${name}.br`), brotliCompressSync(text));
    writeFileSync(join(webRoot, `${name}.gz`), gzipSync(text));
  };

  before(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'baton-static-'));
    mkdirSync(join(webRoot, 'assets'));
    mkdirSync(join(webRoot, 'icons'));
    withCopies('index.html', html);
    withCopies('assets/index-abc123.js', js);
    writeFileSync(join(webRoot, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    writeFileSync(join(webRoot, 'manifest.webmanifest'), '{"name":"baton"}');
    writeFileSync(join(webRoot, 'icons/icon-192.png'), png);
    // A gzip copy of a png must never be served: png is already compressed.
    writeFileSync(join(webRoot, 'icons/icon-192.png.gz'), gzipSync(png));
    server = await startTestServer({ webRoot });
  });
  after(async () => {
    await server.stop();
    rmSync(webRoot, { recursive: true, force: true });
  });

  test('Accept-Encoding picks br, then gzip, by q-value, with Vary and the real length', async () => {
    const cases: [string | undefined, string | undefined][] = [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip', 'gzip'],
      ['x-gzip', 'gzip'],
      ['br;q=0.5, gzip;q=0.8', 'gzip'],
      ['BR;Q=1, GZIP;q=1', 'br'],
      ['*', 'br'],
      ['*;q=0.5, br;q=0', 'gzip'],
      ['br;q=0, gzip;q=0', undefined],
      ['*;q=0', undefined],
      ['identity', undefined],
      ['', undefined],
      [undefined, undefined],
    ];
    for (const path of ['/', '/assets/index-abc123.js', '/s/s_some_client_route']) {
      for (const [accept, coding] of cases) {
        const headers: Record<string, string> =
          accept === undefined ? {} : { 'accept-encoding': accept };
        const answer = await fetchRaw(server.port, path, headers);
        const what = `${path} with Accept-Encoding ${JSON.stringify(accept)}`;
        assert.equal(answer.status, 200, what);
        assert.equal(answer.headers['content-encoding'], coding, what);
        assert.equal(answer.headers['vary'], 'Accept-Encoding', what);
        assert.equal(Number(answer.headers['content-length']), answer.body.length, what);
        assert.equal(decode(answer), path.endsWith('.js') ? js : html, what);
      }
    }
    const gz = await fetchRaw(server.port, '/', { 'accept-encoding': 'gzip' });
    assert.ok(gz.body.length < Buffer.byteLength(html) / 4, 'the copy is what is sent');
  });

  test('already-compressed types and files without copies are sent as they are', async () => {
    const icon = await fetchRaw(server.port, '/icons/icon-192.png', {
      'accept-encoding': 'gzip, br',
    });
    assert.equal(icon.status, 200);
    assert.equal(icon.headers['content-encoding'], undefined);
    assert.equal(icon.headers['content-type'], 'image/png');
    assert.deepEqual(icon.body, png);
    const sw = await fetchRaw(server.port, '/sw.js', { 'accept-encoding': 'br' });
    assert.equal(sw.headers['content-encoding'], undefined);
    assert.match(sw.body.toString(), /addEventListener/);
    // The copies are not addressable on their own.
    for (const path of ['/index.html.br', '/assets/index-abc123.js.gz', '/icons/icon-192.png.gz'])
      assert.equal((await fetchRaw(server.port, path)).status, 404, path);
  });

  test('hashed assets are immutable; the shell is no-cache and revalidates with 304', async () => {
    const asset = await fetchRaw(server.port, '/assets/index-abc123.js');
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    for (const path of ['/', '/index.html', '/sw.js', '/manifest.webmanifest', '/s/anything']) {
      const first = await fetchRaw(server.port, path, { 'accept-encoding': 'gzip' });
      assert.equal(first.headers['cache-control'], 'no-cache', path);
      const etag = first.headers['etag'];
      const lastModified = first.headers['last-modified'];
      assert.ok(etag && lastModified, `${path} has an ETag and Last-Modified`);
      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const again = await fetchRaw(server.port, path, {
          'accept-encoding': 'gzip',
          'if-none-match': ifNoneMatch,
        });
        assert.equal(again.status, 304, `${path} If-None-Match ${ifNoneMatch}`);
        assert.equal(again.body.length, 0);
        assert.equal(again.headers['etag'], etag);
        assert.equal(again.headers['cache-control'], 'no-cache');
      }
      const changed = await fetchRaw(server.port, path, { 'if-none-match': '"not-this-one"' });
      assert.equal(changed.status, 200, `${path} with a stale ETag`);
      const since = await fetchRaw(server.port, path, { 'if-modified-since': lastModified });
      assert.equal(since.status, 304, `${path} If-Modified-Since`);
      const before1970 = await fetchRaw(server.port, path, {
        'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT',
      });
      assert.equal(before1970.status, 200);
    }
    // Each coding is its own representation: a gzip ETag does not validate the br body.
    const gz = await fetchRaw(server.port, '/', { 'accept-encoding': 'gzip' });
    const br = await fetchRaw(server.port, '/', {
      'accept-encoding': 'br',
      'if-none-match': String(gz.headers['etag']),
    });
    assert.equal(br.status, 200);
    assert.notEqual(br.headers['etag'], gz.headers['etag']);
  });

  test('HEAD gets the headers of the chosen coding and no body', async () => {
    const get = await fetchRaw(server.port, '/assets/index-abc123.js', { 'accept-encoding': 'br' });
    const head = await fetchRaw(
      server.port,
      '/assets/index-abc123.js',
      { 'accept-encoding': 'br' },
      'HEAD',
    );
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-encoding'], 'br');
    assert.equal(head.headers['content-length'], get.headers['content-length']);
    assert.equal(head.headers['etag'], get.headers['etag']);
  });

  test('odd, huge and malformed headers get a plain answer and the server stays up', async () => {
    const odd = [
      'br;q=2',
      'gzip;q=abc, br;q=',
      ';;;,,,=,q=1',
      'br;q=0.5;q=x, gzip',
      'gzip;q=0.0001',
      ` ${'x'.repeat(100)}; q=1 `,
      Array.from({ length: 500 }, (_, i) => `c${i};q=0.${i % 10}`).join(', '),
      `gzip, ${'a'.repeat(8000)}`,
    ];
    for (const accept of odd) {
      const answer = await fetchRaw(server.port, '/', { 'accept-encoding': accept });
      assert.equal(answer.status, 200, accept.slice(0, 60));
      assert.equal(decode(answer), html, accept.slice(0, 60));
    }
    const huge = await fetchRaw(server.port, '/', { 'if-none-match': `"x",`.repeat(2000) });
    assert.equal(huge.status, 200);
    const badDate = await fetchRaw(server.port, '/', { 'if-modified-since': 'yesterday' });
    assert.equal(badDate.status, 200);
    // Bytes Node's own client refuses to send: non-ASCII and control characters in the header.
    for (const value of [Buffer.from([0xff, 0xfe, 0x62, 0x72]), Buffer.from('br\x01gzip')]) {
      const status = await rawStatus(
        server.port,
        Buffer.concat([
          Buffer.from(
            'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept-Encoding: ',
          ),
          value,
          Buffer.from('\r\n\r\n'),
        ]),
      );
      assert.ok(status === 200 || status === 400, `status ${status}`);
    }
    for (const path of ['/../etc/passwd', '/assets/%2e%2e/index.html', '/assets/missing.js'])
      assert.ok((await fetchRaw(server.port, path)).status >= 400, path);
    const still = await fetchRaw(server.port, '/', { 'accept-encoding': 'br' });
    assert.equal(still.status, 200);
    assert.equal(decode(still), html);
  });
});
