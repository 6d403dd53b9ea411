import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { AgentConversation, SessionInfo } from '@baton/protocol';
import { CLAUDE_BIN, claudeUserEnv, tempDir } from './agent-env.js';
import { Device } from './device.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { ServerProcess } from './server-process.js';

const run = promisify(execFile);

/** The text of every message the fake API was sent in its last model call. */
function lastCallText(api: FakeAnthropic): string {
  return JSON.stringify((api.modelCalls().at(-1) as { messages: unknown }).messages);
}

/**
 * A transcript written by hand, as Claude Code would have left it after a crash mid-write: two
 * good messages with bookkeeping, a line that is not JSON and one cut off in the middle.
 */
function writeDamagedTranscript(projectDir: string, cwd: string): string {
  const id = 'handmade-0001';
  const line = (o: unknown) => JSON.stringify(o) + '\n';
  writeFileSync(
    join(projectDir, `${id}.jsonl`),
    line({ type: 'file-history-snapshot', snapshot: {} }) +
      'this line is not JSON\n' +
      line({
        type: 'user',
        cwd,
        sessionId: id,
        uuid: 'u1',
        message: { role: 'user', content: 'plan the garden' },
      }) +
      '{"type":"assistant","message":{"id":"msg_cut","content":[{"type":"te\n' +
      line({
        type: 'assistant',
        cwd,
        sessionId: id,
        uuid: 'a1',
        message: { id: 'msg_1', role: 'assistant', content: [{ type: 'text', text: 'Tulips.' }] },
      }) +
      '{"type":"user","message":{"role":"user","content":"cut off',
  );
  return id;
}

describe(
  'claude: adopting a conversation made by running the CLI directly',
  { timeout: 240_000 },
  () => {
    const cleanup: Array<() => Promise<void> | void> = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    it('lists it, imports its history on every device, continues it, and keeps resuming it after a restart', async () => {
      const api = await new FakeAnthropic().start();
      cleanup.push(() => api.close());
      const root = tempDir('adopt');
      const env = claudeUserEnv(api, root);
      const work = join(root, 'work');

      // A person runs Claude Code directly, without baton.
      api.script({ kind: 'text', text: 'Noted: the password is banana.' });
      const direct = await run(
        CLAUDE_BIN,
        ['-p', '--output-format', 'json', 'remember the password banana'],
        { cwd: work, env: { ...process.env, ...env }, timeout: 60_000 },
      );
      const agentId = (JSON.parse(direct.stdout) as { session_id: string }).session_id;
      assert.match(agentId, /^[0-9a-f-]{36}$/);
      const projects = join(env.HOME!, '.claude', 'projects');
      const [projectDir] = readdirSync(projects);
      const damagedId = writeDamagedTranscript(join(projects, projectDir!), work);
      writeFileSync(join(projects, projectDir!, 'garbage-0002.jsonl'), 'not json at all\n{"cut');

      const dataDir = tempDir('adopt-data');
      const first = await ServerProcess.start(dataDir, { env });
      cleanup.push(() => first.stop());

      // Listed, with what a person needs to pick it; damaged lines skipped, garbage not listed.
      const listed = JSON.parse(await first.cli('conversations', '--json')) as AgentConversation[];
      const mine = listed.find((c) => c.id === agentId);
      assert.ok(mine, `the conversation is listed: ${JSON.stringify(listed)}`);
      assert.equal(mine.kind, 'claude');
      assert.equal(mine.cwd, work);
      assert.equal(mine.title, 'remember the password banana');
      assert.equal(mine.messageCount, 2);
      const damaged = listed.find((c) => c.id === damagedId);
      assert.deepEqual(
        damaged && { title: damaged.title, count: damaged.messageCount, cwd: damaged.cwd },
        { title: 'plan the garden', count: 2, cwd: work },
      );
      assert.ok(!listed.some((c) => c.id === 'garbage-0002'), 'a file with no message is left out');

      // The host's transcripts are the owner's: an editor may neither list nor adopt them.
      const made = await fetch(`${first.url}/api/devices`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${first.ownerToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'helper', mode: 'tab', role: 'editor' }),
      });
      const { token: editorToken } = (await made.json()) as { token: string };
      const editorList = await fetch(`${first.url}/api/agent-conversations?kind=claude`, {
        headers: { authorization: `Bearer ${editorToken}` },
      });
      assert.equal(editorList.status, 403);
      const editor = await Device.connect(first.url, editorToken, 'helper', 'tab');
      await assert.rejects(
        editor.request({ type: 'session.create', kind: 'claude', config: { resume: agentId } }),
        /forbidden/,
      );
      editor.close();

      // Adopted from the CLI; two devices see the imported history.
      const id = (
        await first.cli('new', 'claude', '--resume', agentId, '--name', 'adopted')
      ).trim();
      const desk = await Device.connect(first.url, first.ownerToken, 'desk', 'tab');
      const phone = await Device.connect(first.url, first.ownerToken, 'phone', 'mobile');
      for (const d of [desk, phone]) {
        await d.subscribe(id);
        await d.waitFor('the imported history', () => d.ofType('agent.text').length === 1);
        const inputs = d.ofType('input');
        assert.deepEqual(
          inputs.map((e) => [e.data.payload, e.data.imported]),
          [[{ kind: 'message', text: 'remember the password banana' }, true]],
        );
        const text = d.ofType('agent.text')[0]!.data;
        assert.deepEqual([text.text, text.imported], ['Noted: the password is banana.', true]);
        assert.deepEqual(
          d.ofType('agent.bound').map((e) => e.data.agentSessionId),
          [agentId],
        );
      }

      // A new message from the phone continues the same conversation.
      api.script({ kind: 'text', text: 'You told me banana.' });
      await phone.say(id, 'p-1', 'what was the password?');
      await desk.waitFor('the continued turn', () => desk.turnsEnded() === 1);
      assert.equal(desk.ofType('agent.turn.ended')[0]!.data.outcome, 'completed');
      assert.equal(desk.ofType('agent.text').at(-1)!.data.text, 'You told me banana.');
      assert.match(lastCallText(api), /remember the password banana/);
      assert.match(lastCallText(api), /Noted: the password is banana/);
      assert.match(lastCallText(api), /what was the password/);

      // A conversation the host does not have is refused before anything is created; the
      // adopted one goes on.
      const count = async () => (JSON.parse(await first.cli('ls', '--json')) as unknown[]).length;
      const before = await count();
      await assert.rejects(
        desk.request({ type: 'session.create', kind: 'claude', config: { resume: 'no-such-id' } }),
        /not_found: no Claude Code conversation no-such-id in .*baton conversations/,
      );
      await assert.rejects(first.cli('new', 'claude', '--resume', 'no-such-id'), (err: Error) => {
        assert.match(err.message, /no Claude Code conversation no-such-id/);
        return true;
      });
      assert.equal(await count(), before);
      desk.close();
      phone.close();

      // After a restart the session still resumes that conversation, without importing again.
      await first.stop();
      const second = await ServerProcess.start(dataDir, { env, batonHome: first.batonHome });
      cleanup.push(() => second.stop());
      const laptop = await Device.connect(second.url, second.ownerToken, 'laptop', 'tab');
      await laptop.subscribe(id);
      await laptop.waitFor('the history', () => laptop.ofType('agent.text').length === 2);
      api.script({ kind: 'text', text: 'Still banana.' });
      await laptop.say(id, 'l-1', 'and after the restart?');
      await laptop.waitFor('the resumed turn', () => laptop.turnsEnded() === 2);
      assert.equal(laptop.ofType('agent.turn.ended')[1]!.data.outcome, 'completed');
      assert.match(lastCallText(api), /remember the password banana/);
      assert.match(lastCallText(api), /what was the password/);
      assert.match(lastCallText(api), /and after the restart/);
      assert.equal(laptop.ofType('input').filter((e) => e.data.imported).length, 1);
      assert.deepEqual(
        [...new Set(laptop.ofType('agent.bound').map((e) => e.data.agentSessionId))],
        [agentId],
      );
      const sessions = JSON.parse(await second.cli('ls', '--json')) as SessionInfo[];
      assert.equal(sessions.find((s) => s.id === id)?.config['resume'], agentId);
      laptop.close();
    });
  },
);
