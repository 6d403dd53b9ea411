import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BatonClient } from '@baton/client';
import { startServer, type RunningServer } from '@baton/server';
import WebSocket from 'ws';
import { attachTerminal, DETACH_KEY } from './terminal-attach.js';
import {
  emulatedTerminal,
  fakeTerminal,
  storedInputs,
  type StoredInput,
} from './user-terminal.test-helper.js';

const SHELL = {
  shell: '/bin/bash',
  args: ['--norc', '--noprofile', '-i'],
  env: { PS1: '$ ', HISTFILE: '/dev/null' },
};

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('attachTerminal against a real server', () => {
  let server: RunningServer;
  let dataDir: string;
  let client: BatonClient;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'baton-attach-'));
    server = await startServer({ dataDir, port: 0, logLevel: 'silent' });
    client = new BatonClient({
      url: server.wsUrl,
      token: server.ownerToken,
      mode: 'headless',
      WebSocket: WebSocket as never,
      watchSessions: false,
    });
    client.connect();
    await client.whenConnected();
  });
  after(async () => {
    await client.close();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const attach = (sessionId: string, term: ReturnType<typeof fakeTerminal>, readOnly = false) =>
    attachTerminal({
      wsUrl: server.wsUrl,
      token: server.ownerToken,
      sessionId,
      readOnly,
      stdin: term.stdin,
      stdout: term.stdout,
    });

  it('types into the session, follows resizes and detaches with Ctrl-\\', async () => {
    const session = await client.createSession({ kind: 'terminal', config: SHELL });
    const term = fakeTerminal(100, 30);
    const attached = attach(session.id, term);
    term.stdin.write('echo hello-$((40+2))\r');
    await until('echo output', () => term.text().includes('hello-42'));
    term.stdin.write('stty size\r');
    await until('initial size', () => term.text().includes('30 100'));
    term.stdout.columns = 120;
    term.stdout.rows = 40;
    term.stdout.emit('resize');
    await until('the resize in the session log', async () => {
      const res = await fetch(`${server.url}/api/sessions/${session.id}/events`, {
        headers: { authorization: `Bearer ${server.ownerToken}` },
      });
      return (await res.text()).includes('"data":{"cols":120,"rows":40}');
    });
    term.stdin.write('stty size\r');
    await until('new size', () => term.text().includes('40 120'));
    term.stdin.write(DETACH_KEY);
    assert.deepEqual(await attached, { reason: 'detached' });
    assert.match(term.text(), /\[detached from s_/);

    // The session lives on, and a new attachment shows what was there.
    const again = fakeTerminal(120, 40);
    const second = attach(session.id, again);
    await until('screen redrawn', () => again.text().includes('hello-42'));
    again.stdin.write(DETACH_KEY);
    assert.equal((await second).reason, 'detached');
  });

  it("types one answer to a program's query with two terminals attached, the responder's", async () => {
    const session = await client.createSession({ kind: 'terminal', config: SHELL });
    const a = emulatedTerminal();
    const b = emulatedTerminal();
    const attachedA = attach(session.id, a);
    const attachedB = attach(session.id, b);
    try {
      await until('the prompt at a', () => a.text().includes('$ '));
      await until('the prompt at b', () => b.text().includes('$ '));
      // A's user runs a program that asks for the cursor position and reads the answer. Both
      // terminals draw the question, and both answer it on their input.
      a.stdin.write(`printf '\\033[6n'; read -rs -d R ans; printf 'got%q\\n' "$ans"\r`);
      const cpr = /\x1b\[\d+;\d+R/;
      await until('both terminals to answer', () =>
        [a, b].every((t) => t.sent.some((d) => cpr.test(d))),
      );
      await until('the program to read an answer', () => /got\$'\\E\[\d+;\d+'/.test(a.text()));
      // B's later keys go out after its answer on the same socket: once they are stored, the
      // server has handled B's answer too.
      b.stdin.write('echo b-typed\r');
      let stored: StoredInput[] = [];
      await until('b typing', async () => {
        stored = await storedInputs(server.wsUrl, server.ownerToken, session.id);
        return stored.some((i) => i.payload.data?.includes('b-typed'));
      });
      const answers = stored.filter((i) => cpr.test(i.payload.data ?? ''));
      assert.equal(answers.length, 1, `one answer typed: ${JSON.stringify(answers)}`);
      assert.equal(answers[0]?.payload.report, true, 'the answer went as a report, not as keys');
    } finally {
      a.stdin.write(DETACH_KEY);
      b.stdin.write(DETACH_KEY);
      await Promise.all([attachedA, attachedB]);
      a.dispose();
      b.dispose();
    }
  });

  it('a read-only attachment shows output but sends nothing', async () => {
    const session = await client.createSession({ kind: 'terminal', config: SHELL });
    const writer = fakeTerminal();
    const viewer = fakeTerminal();
    const w = attach(session.id, writer);
    const v = attach(session.id, viewer, true);
    writer.stdin.write('echo from-writer-$((2+2))\r');
    await until('writer output at viewer', () => viewer.text().includes('from-writer-4'));
    // Whatever the viewer sends goes out before its detach completes, and the server orders it
    // before anything the writer types afterwards: once the writer's later line is back, a
    // keystroke from the viewer would already be on the screen.
    viewer.stdin.write('echo from-viewer-$((1+1))\r');
    viewer.stdin.write(DETACH_KEY);
    await v;
    writer.stdin.write('echo after-viewer-$((3+3))\r');
    await until('the writer line after the detach', () => writer.text().includes('after-viewer-6'));
    assert.doesNotMatch(writer.text(), /from-viewer/);
    writer.stdin.write(DETACH_KEY);
    await w;
  });

  it('ends with the exit code when the shell exits', async () => {
    const session = await client.createSession({ kind: 'terminal', config: SHELL });
    const term = fakeTerminal();
    const attached = attach(session.id, term);
    term.stdin.write('exit 7\r');
    assert.deepEqual(await attached, { reason: 'exited', exitCode: 7 });
    assert.match(term.text(), /exited with code 7/);
    // Attaching to the ended session shows its last screen and ends at once.
    const late = fakeTerminal();
    assert.deepEqual(await attach(session.id, late), { reason: 'exited', exitCode: 7 });
    assert.match(late.text(), /exit 7/);
  });

  it('refuses an unknown session with a clear error', async () => {
    const term = fakeTerminal();
    await assert.rejects(attach('s_aaaaaaaaaaaaaaaaaaaa', term), /Cannot attach to s_a+/);
  });

  it('reconnects by itself after a server restart and redraws the same screen', async () => {
    const session = await client.createSession({ kind: 'terminal', config: SHELL });
    const term = fakeTerminal();
    const attached = attach(session.id, term);
    term.stdin.write('echo before-restart-$((3*3))\r');
    await until('output', () => term.text().includes('before-restart-9'));
    const port = server.port;
    await server.close();
    await until('reconnect notice', () => term.text().includes('reconnecting'));
    const drawnBefore = term.text().length;
    server = await startServer({ dataDir, port, logLevel: 'silent' });
    // The shell did not survive the restart; its last screen is drawn again, then attach ends.
    const result = await attached;
    assert.equal(result.reason, 'exited');
    assert.match(term.text().slice(drawnBefore), /before-restart-9/);
  });
});
