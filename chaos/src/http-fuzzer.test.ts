import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { test } from 'node:test';
import { HttpFuzzRequests } from './fuzz-http.js';
import { runHttpFuzzer } from './http-fuzzer.js';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

test('the same seed gives the same requests, and every category shows up', () => {
  const a = new HttpFuzzRequests(7, 'tok', 1024);
  const b = new HttpFuzzRequests(7, 'tok', 1024);
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const x = a.next();
    const y = b.next();
    assert.equal(x.line, y.line);
    assert.ok(x.bytes.equals(y.bytes));
    seen.add(x.category);
    if (x.category === 'huge-body') assert.ok(x.bytes.length > 1024, 'past the body limit');
  }
  assert.deepEqual([...seen].sort(), ['body', 'header', 'huge-body', 'method', 'truncated', 'url']);
});

test('malformed % escapes are among the URLs', () => {
  const gen = new HttpFuzzRequests(1, 'tok', 1024);
  const lines = Array.from({ length: 2000 }, () => gen.next().line);
  assert.ok(lines.some((l) => l.startsWith('GET /%zz ')));
  assert.ok(lines.some((l) => l.startsWith('GET // ')));
});

test('a server error and a request left hanging are reported, not passed', async () => {
  // A real HTTP server with two defects: a 500 for malformed escapes, silence for DELETE.
  const server = createServer((req, res) => {
    if (req.method === 'DELETE') return;
    try {
      decodeURIComponent(req.url ?? '/');
      res.writeHead(404).end();
    } catch {
      res.writeHead(500).end();
    }
  });
  const port = await listen(server);
  try {
    const report = await runHttpFuzzer({
      host: '127.0.0.1',
      port,
      token: 'tok',
      seed: 3,
      maxBodyBytes: 1024,
      requests: 300,
      window: 8,
      slowloris: 2,
      slowBodies: 1,
      answerTimeoutMs: 1000,
      deadlineMs: 60_000,
    });
    assert.equal(report.sent, 300);
    assert.ok(report.serverErrors.length > 0, 'the 500s are reported');
    assert.ok(report.serverErrors.some((e) => e.includes('%')));
    assert.ok(
      report.hung.some((h) => h.startsWith('DELETE ')),
      'the silent DELETEs are reported',
    );
    assert.equal(report.slowloris.opened, 2);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
