import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLEAN_ENV, runBaton } from '../run-baton.test-helper.js';
import { isAlive } from '../service/running-server.js';

describe('baton serve --detach and baton stop-server', () => {
  let home: string;
  let env: Record<string, string | undefined>;
  let data: string;
  let pid = 0;

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'baton-detach-'));
    data = join(home, 'data');
    env = { ...CLEAN_ENV, BATON_HOME: home, HOME: home };
  });
  after(() => {
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  test('runs the server in the background with the config file, and stops it', async () => {
    const config = join(home, 'baton.json');
    // The data directory, the port and the log format all come from the file.
    writeFileSync(
      config,
      JSON.stringify({ data: 'data', port: 0, log: { level: 'info', format: 'json' } }),
    );
    const started = await runBaton(['serve', '--detach', '--config', config], env);
    assert.equal(started.code, 0, started.stderr);
    const m =
      /serving at (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+) in the background \(pid (\d+)\)/.exec(
        started.stdout,
      );
    assert.ok(m, started.stdout);
    const [, url, token] = m;
    pid = Number(m[3]);
    assert.equal(readFileSync(join(data, 'baton.pid'), 'utf8').trim(), String(pid));
    assert.ok(isAlive(pid));

    const health = await fetch(`${url!}/api/health`);
    assert.equal(health.status, 200);
    const sessions = await fetch(`${url!}/api/sessions`, {
      headers: { authorization: `Bearer ${token!}` },
    });
    assert.equal(sessions.status, 200);

    // A second one on the same directory is refused before it starts.
    const twice = await runBaton(['serve', '--detach', '--config', config], env);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, new RegExp(`a baton server already runs on ${data} \\(pid ${pid}`));

    // status, from the data directory alone
    const status = await runBaton(['service', 'status', '--data', data], env);
    assert.match(status.stdout, new RegExp(`server: running on ${data} \\(pid ${pid}, ${url!}\\)`));

    const stopped = await runBaton(['stop-server', '--data', data], env);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, new RegExp(`stopped the baton server \\(pid ${pid}\\)`));
    assert.equal(isAlive(pid), false);
    assert.equal(existsSync(join(data, 'baton.pid')), false);

    // The server's own log lines in the log file are JSON, as the config file asked.
    const log = readFileSync(join(data, 'baton.log'), 'utf8');
    const json = log
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    assert.ok(json.length > 0, `JSON log lines in:\n${log}`);
    assert.ok(json.every((l) => typeof l.level === 'string' && typeof l.msg === 'string'));

    const again = await runBaton(['stop-server', '--data', data], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no baton server is running on/);
  });

  test('a server that cannot start says why, and leaves no pid file', async () => {
    const blocker = await runBaton(['serve', '--detach', '--data', data, '--port', '0'], env);
    assert.equal(blocker.code, 0, blocker.stderr);
    pid = Number(/\(pid (\d+)\)/.exec(blocker.stdout)![1]);
    const port = /127\.0\.0\.1:(\d+)/.exec(blocker.stdout)![1]!;
    const other = join(home, 'other');
    const clash = await runBaton(['serve', '--detach', '--data', other, '--port', port], env);
    assert.equal(clash.code, 1);
    assert.match(
      clash.stderr,
      new RegExp(`exited .* before serving:[\\s\\S]*port ${port} on 127\\.0\\.0\\.1 is in use`),
    );
    assert.equal(existsSync(join(other, 'baton.pid')), false);
    assert.equal((await runBaton(['stop-server', '--data', data], env)).code, 0);
  });
});
