/**
 * The packed tarballs, installed the way a user installs them: into empty prefixes on this machine,
 * dependencies from the registry, native modules built from source. Run by `npm run test:pack`
 * (which packs first with scripts/pack.sh) and by CI.
 *
 * Three installs of the baton-live tarball:
 * - full: `npm install -g` — `baton serve` must serve the web app and the API from it;
 * - client-only, global: `npm install -g --ignore-scripts` — the native modules are present but
 *   never built, as on a machine without a compiler;
 * - client-only, local: `npm install --omit=optional` — the native modules are not installed at all
 *   (npm ignores --omit=optional for global installs, so this one is a project install).
 * The client commands (new, ls, send, tail, attach) must work from all of them against the server.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { attachTypeAndDetach } from './attach-in-pty.js';
import { cleanEnv, installGlobal, installLocal } from './npm-install.js';
import { run, start, type Running } from './run.js';
import { findTarballs, type Tarballs } from './tarballs.js';
import { until } from './until.js';

/** The repository's node_modules (tests/pack/dist → root): the TypeScript compiler of the check. */
const WORKSPACE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

const tar = async (file: string) => (await run('tar', ['-tzf', file])).stdout.trim().split('\n');

describe('the packed tarballs', () => {
  let tarballs: Tarballs;
  let root: string;
  before(() => {
    tarballs = findTarballs();
    root = mkdtempSync(join(tmpdir(), 'baton-packed-libs-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('baton-live holds the bundled CLI and server, the workers and the built web app', async () => {
    const files = await tar(tarballs.baton);
    for (const f of [
      'package/package.json',
      'package/README.md',
      'package/dist/baton.js',
      'package/dist/screen-worker.js',
      'package/dist/wal-checkpoint-worker.js',
      'package/web/index.html',
      'package/web/manifest.webmanifest',
      'package/web/sw.js',
    ])
      assert.ok(files.includes(f), `${f} in ${files.join(' ')}`);
    for (const f of files) {
      assert.match(f, /^package\/(package\.json|README\.md|dist\/|web\/)/, f);
      assert.doesNotMatch(f, /\.test\.|\/src\//, f);
    }
  });

  test('the libraries hold only their built code, types and README', async () => {
    for (const file of [tarballs.protocol, tarballs.seal, tarballs.client, tarballs.react]) {
      const files = await tar(file);
      assert.ok(files.includes('package/dist/index.js'), file);
      assert.ok(files.includes('package/dist/index.d.ts'), file);
      assert.ok(files.includes('package/README.md'), file);
      for (const f of files) {
        if (f === 'package/package.json' || f === 'package/README.md') continue;
        assert.match(f, /^package\/dist\/.*\.(js|d\.ts)$/, `${file}: ${f}`);
        assert.doesNotMatch(f, /\.test\.|\/testing\//, `${file}: ${f}`);
      }
      // Every export names a file the tarball holds (none left pointing at testing code).
      const manifest = JSON.parse(
        (await run('tar', ['-xzOf', file, 'package/package.json'])).stdout,
      ) as { exports: Record<string, { types: string; default: string }> };
      for (const [name, target] of Object.entries(manifest.exports))
        for (const path of [target.types, target.default])
          assert.ok(
            files.includes(`package/${path.replace(/^\.\//, '')}`),
            `${file}: ${name} → ${path}`,
          );
    }
  });

  test('the libraries install together and load in Node with their types', async () => {
    const dir = join(root, 'app');
    await installLocal(dir, [tarballs.protocol, tarballs.seal, tarballs.client, tarballs.react]);
    const loaded = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const p = await import('@baton/protocol'); const c = await import('@baton/client');
         const r = await import('@baton/react');
         console.log(JSON.stringify([typeof p.PROTOCOL_VERSION, typeof c.BatonClient,
           typeof r.BatonProvider, typeof r.useSession]));`,
      ],
      { cwd: dir },
    );
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout.trim(), '["number","function","function","function"]');

    // A consumer's type check resolves every package's types through its `exports`.
    const tsc = join(WORKSPACE_MODULES, 'typescript/bin/tsc');
    const source = join(dir, 'use.ts');
    writeFileSync(
      source,
      `import { PROTOCOL_VERSION, type ServerMessage } from '@baton/protocol';
       import { BatonClient } from '@baton/client';
       import { useSession } from '@baton/react';
       export const v: number = PROTOCOL_VERSION;
       export type M = ServerMessage;
       export const make = (url: string, token: string) => new BatonClient({ url, token, mode: 'headless' });
       export const hook: typeof useSession = useSession;\n`,
    );
    const checked = await run(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--skipLibCheck',
        '--types',
        'node',
        '--typeRoots',
        join(WORKSPACE_MODULES, '@types'),
        source,
      ],
      { cwd: dir, timeoutMs: 120_000 },
    );
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  });
});

describe('baton-live installed into empty prefixes', () => {
  let tarballs: Tarballs;
  let root: string;
  let server: Running;
  let url = '';
  let token = '';
  const full = () => join(root, 'full/bin/baton');
  const clientGlobal = () => join(root, 'client-global/bin/baton');
  const clientLocal = () => join(root, 'client-local/node_modules/.bin/baton');

  /** Each install is its own device: its own BATON_HOME, the server's URL and owner token. */
  const envFor = (name: string) =>
    cleanEnv({ BATON_HOME: join(root, `home-${name}`), BATON_URL: url, BATON_TOKEN: token });

  before(async () => {
    tarballs = findTarballs();
    root = mkdtempSync(join(tmpdir(), 'baton-packed-'));
    await Promise.all([
      installGlobal(join(root, 'full'), tarballs.baton),
      installGlobal(join(root, 'client-global'), tarballs.baton, ['--ignore-scripts']),
      installLocal(join(root, 'client-local'), [tarballs.baton], ['--omit=optional']),
    ]);
    server = start(
      full(),
      ['serve', '--port', '0', '--data', join(root, 'data'), '--log-level', 'warn'],
      { env: cleanEnv({ BATON_HOME: join(root, 'home-server') }) },
    );
    const m = await until(
      'baton serve to print its URL',
      () => /serving at (http:\/\/[^/\s]+)\/#token=(\S+)/.exec(server.output()) ?? undefined,
    );
    url = m[1]!;
    token = m[2]!;
  });

  after(async () => {
    // The server writes its last files while it stops: remove them only after it has exited.
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('baton serve from the packed install serves the web app, the manifest and the API', async () => {
    assert.doesNotMatch(server.output(), /web app not built/);
    const page = await fetch(url + '/');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<div id="root"/);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html);
    assert.ok(script, html);
    assert.equal((await fetch(url + script[1])).status, 200);
    const manifest = (await (await fetch(url + '/manifest.webmanifest')).json()) as {
      start_url?: string;
    };
    assert.ok(manifest.start_url);
    const health = (await (await fetch(url + '/api/health')).json()) as {
      ok: boolean;
      version: string;
    };
    assert.equal(health.ok, true);
    assert.equal(health.version, (await run(full(), ['--version'])).stdout.trim().split(' ')[1]);
  });

  /** new, send, tail and attach from one install against the packed server: a real shell session. */
  const clientCommandsWork = async (baton: string, name: string) => {
    const env = envFor(name);
    const created = await run(baton, ['new', 'terminal', '--name', name, '--shell', '/bin/sh'], {
      env,
    });
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    assert.match(id, /^s_/);

    const sent = await run(baton, ['send', name, `echo ${name}-$((40+2))`], { env });
    assert.equal(sent.code, 0, sent.stderr);

    const tail = start(baton, ['tail', id], { env });
    try {
      await until(`tail to print ${name}-42`, () => tail.output().includes(`${name}-42`));
    } finally {
      await tail.stop();
    }

    const code = await attachTypeAndDetach(baton, id, env, `echo ${name}-$((6*7))x`, `${name}-42x`);
    assert.equal(code, 0);

    const listed = await run(baton, ['ls'], { env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${name}\\s+terminal\\s+running`));
  };

  test('the client commands work from the full install', async () => {
    await clientCommandsWork(full(), 'full');
  });

  test('the client commands work where the native modules never built (--ignore-scripts)', async () => {
    await clientCommandsWork(clientGlobal(), 'unbuilt');
    const served = await run(clientGlobal(), ['serve', '--port', '0', '--data', join(root, 'x')], {
      env: envFor('unbuilt'),
    });
    assert.equal(served.code, 1);
    assert.match(served.stderr, /baton serve needs the native module better-sqlite3/);
    assert.match(served.stderr, /client commands/);
  });

  test('the client commands work where the native modules are not installed (--omit=optional)', async () => {
    const modules = join(root, 'client-local/node_modules');
    assert.ok(!existsSync(join(modules, 'better-sqlite3')), 'better-sqlite3 was left out');
    assert.ok(!existsSync(join(modules, 'node-pty')), 'node-pty was left out');
    await clientCommandsWork(clientLocal(), 'omitted');
    const served = await run(clientLocal(), ['serve', '--port', '0', '--data', join(root, 'y')], {
      env: envFor('omitted'),
    });
    assert.equal(served.code, 1);
    assert.match(served.stderr, /better-sqlite3, which is not installed/);
  });
});
