import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

interface Serving {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Runs `baton serve` and resolves once it serves, or with its exit code and output if it ends. */
function serve(
  home: string,
  data: string,
): Promise<Serving | { code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--port', '0', '--data', data, '--log-level', 'warn'],
    { env: { ...process.env, BATON_HOME: home } },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`baton serve neither served nor exited: ${out} ${err}`));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving at (http:\/\/[^/]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      resolve({ code, stderr: err });
    });
  });
}

test('a second baton serve on the same data directory exits, naming the first one; kill -9 frees it', async () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-lock-'));
  const data = join(home, 'data');
  const running: ChildProcess[] = [];
  try {
    const first = await serve(home, data);
    assert.ok('url' in first, `the first server did not start: ${JSON.stringify(first)}`);
    running.push(first.child);

    const second = await serve(home, data);
    if ('url' in second) running.push(second.child);
    assert.ok(!('url' in second), 'the second server must not serve the same data directory');
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`in use by baton pid ${first.child.pid}`));
    assert.match(second.stderr, new RegExp(`serving at ${first.url.replace(/\./g, '\\.')}`));
    assert.match(second.stderr, /stop that server first, or use another --data directory/);

    // The first one still serves, untouched.
    const health = await fetch(`${first.url}/api/health`);
    assert.equal(health.status, 200);

    // kill -9 runs no cleanup: the operating system releases the lock.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = await serve(home, data);
    assert.ok('url' in third, `a server after kill -9 must start: ${JSON.stringify(third)}`);
    running.push(third.child);
  } finally {
    for (const c of running) c.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
});

/** Runs `baton serve` with `extra` flags that must stop it; resolves with its code and stderr. */
async function refusedServe(extra: string[]): Promise<{ code: number | null; err: string }> {
  const home = mkdtempSync(join(tmpdir(), 'baton-lock-'));
  try {
    const child = spawn(
      process.execPath,
      [MAIN, 'serve', '--port', '0', '--data', join(home, 'd'), ...extra],
      { env: { ...process.env, BATON_HOME: home } },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, err };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

test('baton serve refuses an unknown --durability', async () => {
  const { code, err } = await refusedServe(['--durability', 'extreme']);
  assert.notEqual(code, 0);
  assert.match(err, /--durability must be normal or full, not 'extreme'/);
});

test('baton serve refuses a PostgreSQL it cannot reach in one line, without the password', async () => {
  const { code, err } = await refusedServe([
    '--store',
    'postgres://baton:hunter2@127.0.0.1:1/baton',
  ]);
  assert.equal(code, 1);
  assert.equal(
    err.trim(),
    'baton: cannot reach PostgreSQL at postgres://baton:***@127.0.0.1:1/baton: start it, or fix the host and port in --store (connect ECONNREFUSED 127.0.0.1:1)',
  );
});
