import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { createLogger } from '../../logger.js';
import { ProtocolClient } from '../../testing/protocol-client.js';
import { spawnServerProcess } from '../../testing/server-process.js';
import {
  BASH_TERMINAL,
  startTestServer,
  tempDataDir,
  waitUntil,
} from '../../testing/test-server.js';
import { CHILDREN_FILE, ChildRegistry, type ChildEntry } from './child-registry.js';
import { bootId, parseProcStat, readProcStat } from './proc-table.js';

/** A process named by pid and start time, so a reused pid never counts as the same process. */
interface Proc {
  pid: number;
  startTime: number;
}

function alive(p: Proc): boolean {
  const s = readProcStat(p.pid);
  return s !== undefined && s.state !== 'Z' && s.startTime === p.startTime;
}

const dirs: string[] = [];
const leftovers: Proc[] = [];
after(() => {
  for (const p of leftovers) if (alive(p)) process.kill(p.pid, 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'baton-children-'));
  dirs.push(d);
  return d;
}

/**
 * Types a command into the shell that starts a background process which ignores SIGHUP (as
 * `nohup` and many dev servers do, so the shell's own hang-up does not end it) and writes its
 * pid to a file; resolves with that process once it runs.
 */
async function startGrandchild(
  client: ProtocolClient,
  sessionId: string,
  n: number,
): Promise<Proc> {
  const dir = scratch();
  const pidFile = join(dir, 'pid');
  await client.submit(sessionId, `gc-${n}`, {
    kind: 'terminal',
    data: `nohup sleep 1000 >/dev/null 2>&1 & echo $! > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}\r`,
  });
  const pid = await waitUntil(
    () => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim()),
    'the background process to start',
  );
  const stat = await waitUntil(() => readProcStat(pid), 'its /proc entry');
  const proc = { pid, startTime: stat.startTime };
  leftovers.push(proc);
  return proc;
}

async function createShell(client: ProtocolClient, extra: Record<string, unknown> = {}) {
  const { session } = await client.request<{ session: SessionInfo }>({
    type: 'session.create',
    kind: 'terminal',
    config: { ...BASH_TERMINAL, ...extra },
  });
  return session;
}

describe('a session’s processes end with it', () => {
  it('stop ends what the shell started in the background, also when it ignores SIGHUP', async () => {
    const server = await startTestServer();
    try {
      const client = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const session = await createShell(client);
      const gc = await startGrandchild(client, session.id, 1);
      await client.request({ type: 'session.stop', sessionId: session.id });
      await waitUntil(() => !alive(gc), 'the background process to end after stop');
      await client.close();
    } finally {
      await server.stop();
    }
  });

  it('a process that left for a session of its own is found by its marker and ended', async () => {
    const server = await startTestServer();
    try {
      const client = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const session = await createShell(client);
      const pidFile = join(scratch(), 'pid');
      // setsid forks when called from a group leader, so the sleeper's parent is not the shell.
      await client.submit(session.id, 'escape', {
        kind: 'terminal',
        data: `setsid sh -c 'echo $$ > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; exec sleep 1000' >/dev/null 2>&1 </dev/null &\r`,
      });
      const pid = await waitUntil(
        () => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim()),
        'the escaped process to start',
      );
      const stat = await waitUntil(() => readProcStat(pid), 'its /proc entry');
      const escaped = { pid, startTime: stat.startTime };
      leftovers.push(escaped);
      assert.equal(stat.session, pid, 'it leads a session of its own');
      await client.request({ type: 'session.stop', sessionId: session.id });
      await waitUntil(() => !alive(escaped), 'the escaped process to end after stop');
      await client.close();
    } finally {
      await server.stop();
    }
  });

  it('a shell that exits by itself takes its background processes with it', async () => {
    const server = await startTestServer();
    try {
      const client = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const session = await createShell(client);
      const gc = await startGrandchild(client, session.id, 1);
      await client.submit(session.id, 'exit', { kind: 'terminal', data: 'exit\r' });
      await waitUntil(() => !alive(gc), 'the background process to end after the shell exited');
      await client.close();
    } finally {
      await server.stop();
    }
  });

  it('server shutdown ends every session’s background processes', async () => {
    const server = await startTestServer();
    const client = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
    const a = await startGrandchild(client, (await createShell(client)).id, 1);
    const b = await startGrandchild(client, (await createShell(client)).id, 2);
    await server.stop();
    // close() resolves after the runners stopped, so nothing is left to wait for.
    assert.equal(alive(a), false, 'the first session’s background process is gone');
    assert.equal(alive(b), false, 'the second session’s background process is gone');
    await client.close();
  });

  it('after kill -9 the next start ends the old shell’s processes before serving', async () => {
    const data = tempDataDir();
    dirs.push(data.dir);
    const first = await spawnServerProcess(data.dir);
    const client = await ProtocolClient.connect(first.wsUrl, first.ownerToken);
    const session = await createShell(client);
    const gc = await startGrandchild(client, session.id, 1);
    const recorded = JSON.parse(readFileSync(join(data.dir, CHILDREN_FILE), 'utf8')) as {
      children: ChildEntry[];
    };
    assert.equal(recorded.children.length, 1, 'the shell is recorded in children.json');
    await client.close();
    await first.kill9();
    // The shell got its hang-up from the closed PTY; what ignores SIGHUP is still running.
    assert.equal(alive(gc), true, 'the background process survived the server');
    const second = await spawnServerProcess(data.dir);
    try {
      // The server prints its URL only after startup, and the orphans are ended before that.
      assert.equal(alive(gc), false, 'the orphan was ended before the server served');
      const after = JSON.parse(readFileSync(join(data.dir, CHILDREN_FILE), 'utf8')) as {
        children: ChildEntry[];
      };
      assert.deepEqual(after.children, [], 'the file is emptied once the orphans are ended');
    } finally {
      await second.stop();
    }
  });
});

describe('what a shell inherits', () => {
  it('no BATON_* credential or setting reaches the shell; the session env does', async () => {
    const saved = { ...process.env };
    process.env['BATON_TOKEN'] = 'owner-secret-never-in-a-child';
    process.env['BATON_DATA'] = '/somewhere';
    const server = await startTestServer({ ownerToken: 'owner-secret-never-in-a-child' });
    try {
      const client = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
      const session = await createShell(client, {
        env: { ...BASH_TERMINAL.env, FROM_SESSION: 'yes' },
      });
      const out = join(scratch(), 'env');
      await client.submit(session.id, 'env', {
        kind: 'terminal',
        data: `env > ${out}.tmp && mv ${out}.tmp ${out}\r`,
      });
      const env = await waitUntil(
        () => existsSync(out) && readFileSync(out, 'utf8'),
        'the shell to write its environment',
      );
      const names = env.split('\n').map((l) => l.split('=')[0]);
      assert.ok(!env.includes('owner-secret-never-in-a-child'), 'the owner token is not there');
      assert.ok(!names.includes('BATON_TOKEN'));
      assert.ok(!names.includes('BATON_DATA'));
      assert.ok(names.includes('FROM_SESSION'), 'the session’s own env is there');
      assert.ok(names.includes('BATON_CHILD'), 'the marker is there');
      assert.ok(names.includes('PATH'), 'the server’s environment is there');
      await client.close();
    } finally {
      await server.stop();
      process.env = saved;
    }
  });
});

describe('ChildRegistry.reapOrphans', () => {
  const log = createLogger('silent');

  function startSleeper(): Proc {
    const child = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    child.unref();
    const stat = readProcStat(child.pid!)!;
    const proc = { pid: child.pid!, startTime: stat.startTime };
    leftovers.push(proc);
    return proc;
  }

  function writeEntries(dir: string, entries: ChildEntry[]): void {
    writeFileSync(join(dir, CHILDREN_FILE), JSON.stringify({ version: 1, children: entries }));
  }

  it('never signals a pid that now belongs to another process', async () => {
    const dir = scratch();
    const other = startSleeper();
    // The stored child had this pid once, but started at another time: the pid was reused.
    writeEntries(dir, [
      {
        sessionId: 's',
        pid: other.pid,
        startTime: other.startTime - 1,
        marker: 'not-in-its-environment',
        bootId: bootId(),
      },
    ]);
    await new ChildRegistry(dir, log).reapOrphans();
    assert.equal(alive(other), true);
  });

  it('ends a recorded child whose pid and start time match', async () => {
    const dir = scratch();
    const orphan = startSleeper();
    writeEntries(dir, [
      {
        sessionId: 's',
        pid: orphan.pid,
        startTime: orphan.startTime,
        marker: 'm',
        bootId: bootId(),
      },
    ]);
    await new ChildRegistry(dir, log).reapOrphans();
    assert.equal(alive(orphan), false);
    assert.equal(statSync(join(dir, CHILDREN_FILE)).mode & 0o777, 0o600);
  });

  it('ignores entries from an earlier boot and a damaged file', async () => {
    const dir = scratch();
    const p = startSleeper();
    writeEntries(dir, [
      { sessionId: 's', pid: p.pid, startTime: p.startTime, marker: 'm', bootId: 'another-boot' },
    ]);
    await new ChildRegistry(dir, log).reapOrphans();
    assert.equal(alive(p), true);
    writeFileSync(join(dir, CHILDREN_FILE), '{not json');
    await new ChildRegistry(dir, log).reapOrphans();
    assert.equal(alive(p), true);
  });
});

describe('parseProcStat', () => {
  it('reads the fields after a command name with spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    // stime cutime cstime priority nice threads itrealvalue starttime …
    const line =
      '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 2';
    assert.deepEqual(parseProcStat(line), {
      pid: 4242,
      state: 'S',
      ppid: 1,
      pgrp: 4242,
      session: 4242,
      startTime: 987654,
    });
    assert.equal(parseProcStat('garbage'), undefined);
  });
});
