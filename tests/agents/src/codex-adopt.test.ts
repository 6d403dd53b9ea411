import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { AgentConversation } from '@baton/protocol';
import { CODEX_BIN, codexUserEnv, tempDir } from './agent-env.js';
import { Device } from './device.js';
import { FakeOpenAi } from './fake-openai.js';
import { processesWith } from './proc.js';
import { ServerProcess } from './server-process.js';

const run = promisify(execFile);

/** The input items of the fake API's last model call, as one string. */
function lastCallText(api: FakeOpenAi): string {
  return JSON.stringify((api.modelCalls().at(-1) as { input: unknown }).input);
}

describe('codex: adopting a thread made by running the CLI directly', { timeout: 240_000 }, () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('lists it, imports its history on every device and continues the same thread', async () => {
    const api = await new FakeOpenAi().start();
    cleanup.push(() => api.close());
    const root = tempDir('codex-adopt');
    const env = codexUserEnv(api, root);
    const work = join(root, 'work');
    const helpers = () => processesWith('app-server', `CODEX_HOME=${env.CODEX_HOME!}`);

    // A person runs Codex directly, without baton.
    api.script({ kind: 'text', text: 'Noted: the password is banana.' });
    const exec = run(
      CODEX_BIN,
      ['exec', '--json', '--skip-git-repo-check', 'remember the password banana'],
      { cwd: work, env: { ...process.env, ...env }, timeout: 60_000 },
    );
    // codex exec reads more of the prompt from a stdin that is not a terminal, until it ends.
    exec.child.stdin?.end();
    const direct = await exec;
    const started = direct.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; thread_id?: string })
      .find((e) => e.type === 'thread.started');
    const threadId = started?.thread_id;
    assert.ok(threadId, `codex exec said which thread it started: ${direct.stdout}`);

    const server = await ServerProcess.start(tempDir('codex-adopt-data'), { env });
    cleanup.push(() => server.stop());

    // Listed through a short-lived app-server, which is gone once the answer is there.
    const listed = JSON.parse(
      await server.cli('conversations', '--kind', 'codex', '--json'),
    ) as AgentConversation[];
    const mine = listed.find((c) => c.id === threadId);
    assert.ok(mine, `the thread is listed: ${JSON.stringify(listed)}`);
    assert.deepEqual(
      [mine.kind, mine.cwd, mine.title, mine.messageCount],
      ['codex', work, 'remember the password banana', 2],
    );
    assert.ok(Date.now() - mine.lastActivityAt < 5 * 60_000, 'its last activity is recent');
    assert.deepEqual(helpers(), [], 'no app-server outlives the listing');
    assert.match(
      await server.cli('conversations', '--kind', 'codex'),
      /adopt one with: baton new codex --resume <id>/,
    );

    // Adopted from the CLI; two devices see the imported history.
    const id = (await server.cli('new', 'codex', '--resume', threadId, '--name', 'adopted')).trim();
    const desk = await Device.connect(server.url, server.ownerToken, 'desk', 'tab');
    const phone = await Device.connect(server.url, server.ownerToken, 'phone', 'mobile');
    cleanup.push(() => {
      desk.close();
      phone.close();
    });
    for (const d of [desk, phone]) {
      await d.subscribe(id);
      await d.waitFor('the imported history', () => d.ofType('agent.bound').length === 1);
      assert.deepEqual(
        d.ofType('input').map((e) => [e.data.payload, e.data.imported]),
        [[{ kind: 'message', text: 'remember the password banana' }, true]],
      );
      assert.deepEqual(
        d.ofType('agent.text').map((e) => [e.data.text, e.data.imported]),
        [['Noted: the password is banana.', true]],
      );
      assert.deepEqual(
        d.ofType('agent.bound').map((e) => e.data.agentSessionId),
        [threadId],
      );
    }
    assert.deepEqual(helpers(), [], 'no app-server outlives the import');

    // A new message from the phone continues the same thread: the model gets the earlier turn.
    api.script({ kind: 'text', text: 'You told me banana.' });
    await phone.say(id, 'p-1', 'what was the password?');
    await desk.waitFor('the continued turn', () => desk.turnsEnded() === 1);
    assert.equal(desk.ofType('agent.turn.ended')[0]!.data.outcome, 'completed');
    assert.equal(desk.ofType('agent.text').at(-1)!.data.text, 'You told me banana.');
    assert.match(lastCallText(api), /remember the password banana/);
    assert.match(lastCallText(api), /Noted: the password is banana/);
    assert.match(lastCallText(api), /what was the password/);
    assert.deepEqual(
      [...new Set(desk.ofType('agent.bound').map((e) => e.data.agentSessionId))],
      [threadId],
    );

    // A thread Codex does not have is refused on every path before anything is created.
    const count = async () => (JSON.parse(await server.cli('ls', '--json')) as unknown[]).length;
    const before = await count();
    const sessionProcesses = helpers();
    const unknown = '019a0000-0000-7000-8000-000000000000';
    await assert.rejects(
      desk.request({ type: 'session.create', kind: 'codex', config: { resume: unknown } }),
      new RegExp(`not_found: no Codex thread ${unknown} in .*baton conversations --kind codex`),
    );
    await assert.rejects(server.cli('new', 'codex', '--resume', 'not-a-thread'), (err: Error) => {
      assert.match(err.message, /no Codex thread not-a-thread/);
      return true;
    });
    assert.equal(await count(), before);
    assert.deepEqual(helpers(), sessionProcesses, "only the adopted session's app-server runs");
  });
});
