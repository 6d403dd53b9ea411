import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '@baton/protocol';
import { opensslCert } from '@baton/server/testing';
import { BatonProcess } from './harness/baton-process.js';
import { REPO_ROOT, tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const NAME = 'baton.test';

/** The nginx recipe of docs/operations.md, exactly as documented (the one ```nginx block). */
function documentedRecipe(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
  const block = /```nginx\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/operations.md has no ```nginx block');
  return block;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** GET over https to 127.0.0.1:port as `https://NAME`, trusting only `ca`. */
function get(port: number, path: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, servername: NAME, headers: { host: NAME }, ca },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.once('error', reject);
    req.end();
  });
}

/** Opens the WebSocket through the proxy with `origin`; resolves with the welcome or the refusal. */
function hello(port: number, ca: string, origin: string, token: string): Promise<string> {
  return new Promise((resolve) => {
    // ws hands its options to https.request, which takes `servername` (SNI) as well.
    const options: WebSocket.ClientOptions & { servername: string } = {
      ca,
      servername: NAME,
      headers: { host: `${NAME}:${port}`, origin },
    };
    const ws = new WebSocket(`wss://127.0.0.1:${port}/v1/ws`, options);
    ws.once('unexpected-response', (_req, res) => {
      resolve(`refused ${res.statusCode}`);
      ws.terminate();
    });
    ws.once('error', (e) => resolve(`error ${e.message}`));
    ws.once('open', () =>
      ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, token, mode: 'tab' })),
    );
    ws.once('message', (data) => {
      resolve((JSON.parse(String(data)) as { type: string }).type);
      ws.close();
    });
  });
}

// The reverse-proxy recipe of docs/operations.md, run for real: nginx terminates TLS for
// https://baton.test and passes the API and the WebSocket upgrade to baton on loopback, started
// with --allow-origin as the docs say. Skipped (loudly) only where nginx is not installed;
// scripts/install-tls-tools.sh installs it for `npm run test:web`.
describe('the nginx reverse-proxy recipe', { timeout: 120_000 }, () => {
  let baton: BatonProcess;
  let nginx: ChildProcess | undefined;
  let nginxOutput = '';
  let port = 0;
  let ca = '';

  before(async () => {
    if (!NGINX) return;
    baton = await BatonProcess.start(tempDir('proxied'), {}, ['--allow-origin', `https://${NAME}`]);
    const dir = tempDir('nginx');
    const tls = await opensslCert(dir, NAME, `DNS:${NAME}`);
    ca = readFileSync(tls.cert, 'utf8');
    port = await freePort();
    const upstream = new URL(baton.url).port;
    const site = documentedRecipe()
      .replace('listen 443 ssl;', `listen 127.0.0.1:${port} ssl;`)
      .replace(/server_name baton\.example\.com;/, `server_name ${NAME};`)
      .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${tls.cert};`)
      .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${tls.key};`)
      .replace('proxy_pass http://127.0.0.1:7777;', `proxy_pass http://127.0.0.1:${upstream};`);
    // A minimal main configuration around the documented block, all files in the temp dir.
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `${process.getuid?.() === 0 ? 'user root root;' : ''}
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
${site}
}
`,
    );
    nginx = spawn(NGINX, ['-c', conf, '-p', dir, '-g', 'daemon off;'], { stdio: 'pipe' });
    nginx.stderr?.on('data', (d: Buffer) => (nginxOutput += d.toString()));
    await waitFor(`nginx to answer (${nginxOutput})`, () =>
      get(port, '/api/health', ca).then(
        (r) => r.status === 200,
        () => false,
      ),
    );
  });
  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    await baton?.close();
  });

  it('serves the API and the app, and passes the WebSocket for the allowed origin only', async (t) => {
    if (!NGINX) {
      t.skip('SKIPPED: nginx is not installed (bash scripts/install-tls-tools.sh installs it)');
      return;
    }
    const health = await get(port, '/api/health', ca);
    assert.equal(health.status, 200);
    assert.match(health.body, /"ok":true/);
    const page = await get(port, '/', ca);
    assert.equal(page.status, 200);
    assert.match(page.body, /<div id="root"/);

    assert.equal(await hello(port, ca, `https://${NAME}`, baton.ownerToken), 'welcome');
    assert.equal(
      await hello(port, ca, 'https://evil.example', baton.ownerToken),
      'refused 403',
      'another origin is refused through the proxy as well',
    );
  });
});
