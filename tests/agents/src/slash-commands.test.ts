import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentSuite } from './agent-suite.js';
import { createSession } from './baton-fixture.js';
import { claudeSessionConfig, codexSessionConfig, tempDir } from './agent-env.js';
import type { Device } from './device.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { FakeOpenAi } from './fake-openai.js';

/** What the model was asked, per call: the request's model and its messages as text. */
function lastCall(api: { modelCalls(): unknown[] }): { model: string; text: string } {
  const call = api.modelCalls().at(-1) as { model: string; messages?: unknown; input?: unknown };
  return { model: call.model, text: JSON.stringify(call.messages ?? call.input) };
}

/** Changes the session's settings from `device`, as the web app's control does. */
function changeSettings(
  device: Device,
  sessionId: string,
  change: { model?: string; permissionMode?: string },
): Promise<{ seq: number }> {
  return device.request({ type: 'agent.settings', sessionId, ...change });
}

describe(
  'claude: slash commands, model and permission mode from any device',
  { timeout: 180_000 },
  () => {
    const suite = agentSuite(() => new FakeAnthropic());

    it('a command run from the phone shows its output on the laptop; an unknown one fails its turn for everyone and the conversation goes on', async () => {
      const api = await suite.freshApi();
      const laptop = await suite.device('laptop');
      const phone = await suite.device('phone', 'mobile');
      const session = await createSession(
        laptop,
        'claude',
        claudeSessionConfig(api, tempDir('slash')),
      );
      await laptop.subscribe(session.id);
      await phone.subscribe(session.id);

      api.script({ kind: 'text', text: 'first answer' });
      await laptop.say(session.id, 's-1', 'hello');
      for (const d of [laptop, phone]) await d.waitFor('turn 1', () => d.turnsEnded() === 1);
      // The agent said which commands it has; every device can offer them.
      for (const d of [laptop, phone]) {
        const offered =
          d
            .ofType('agent.commands')
            .at(-1)
            ?.data.commands.map((c) => c.name) ?? [];
        assert.ok(offered.includes('context'), `context is offered: ${offered.join(' ')}`);
      }

      // `/cost` is an alias Claude's list leaves out: only Claude knows its commands.
      await phone.say(session.id, 's-2', '/cost');
      for (const d of [laptop, phone]) await d.waitFor('turn 2', () => d.turnsEnded() === 2);
      for (const d of [laptop, phone]) {
        const output = d.ofType('agent.text').filter((e) => e.data.command === 'cost');
        assert.equal(output.length, 1, d.summary());
        assert.match(output[0]!.data.text, /(Total|Estimated) cost/);
        assert.equal(d.ofType('agent.turn.ended')[1]!.data.outcome, 'completed');
      }

      await phone.say(session.id, 's-3', '/frobnicate now');
      for (const d of [laptop, phone]) await d.waitFor('turn 3', () => d.turnsEnded() === 3);
      for (const d of [laptop, phone]) {
        const ended = d.ofType('agent.turn.ended')[2]!.data;
        assert.equal(ended.outcome, 'failed');
        assert.match(
          ended.error ?? '',
          /Unknown command: \/frobnicate: Claude Code has no such command/,
        );
      }

      api.script({ kind: 'text', text: 'still here' });
      await laptop.say(session.id, 's-4', 'are you there?');
      for (const d of [laptop, phone]) await d.waitFor('turn 4', () => d.turnsEnded() === 4);
      assert.equal(laptop.ofType('agent.turn.ended')[3]!.data.outcome, 'completed');
      assert.match(lastCall(api).text, /first answer/, 'the conversation went on');
    });

    it('/clear starts a new conversation: every device sees it, and the next request carries no earlier history', async () => {
      const api = await suite.freshApi();
      const laptop = await suite.device('laptop');
      const phone = await suite.device('phone', 'mobile');
      const session = await createSession(
        laptop,
        'claude',
        claudeSessionConfig(api, tempDir('clear')),
      );
      await laptop.subscribe(session.id);
      await phone.subscribe(session.id);

      api.script({ kind: 'text', text: 'remember the word banana' });
      await laptop.say(session.id, 'c-1', 'say banana');
      for (const d of [laptop, phone]) await d.waitFor('turn 1', () => d.turnsEnded() === 1);
      await phone.say(session.id, 'c-2', '/clear');
      for (const d of [laptop, phone]) {
        await d.waitFor('the cleared event', () => d.ofType('agent.cleared').length === 1);
        assert.equal(
          d.ofType('agent.cleared')[0]!.data.deviceId,
          phone.ofType('input')[1]!.data.deviceId,
        );
      }
      for (const d of [laptop, phone]) await d.waitFor('turn 2', () => d.turnsEnded() === 2);
      const bound = laptop.ofType('agent.bound').map((e) => e.data.agentSessionId);
      assert.equal(new Set(bound).size, 2, 'the session is bound to the new conversation');

      api.script({ kind: 'text', text: 'a fresh start' });
      await laptop.say(session.id, 'c-3', 'what word?');
      await laptop.waitFor('turn 3', () => laptop.turnsEnded() === 3);
      const { text } = lastCall(api);
      assert.match(text, /what word/);
      assert.doesNotMatch(text, /banana/, 'the new conversation remembers nothing');
    });

    it('a model switch from the phone reaches the next model request; /model does the same; every device sees both', async () => {
      const api = await suite.freshApi();
      const laptop = await suite.device('laptop');
      const phone = await suite.device('phone', 'mobile');
      const config = { ...claudeSessionConfig(api, tempDir('model')), model: 'claude-first' };
      const session = await createSession(laptop, 'claude', config);
      await laptop.subscribe(session.id);
      await phone.subscribe(session.id);

      api.script({ kind: 'text', text: 'one' });
      await laptop.say(session.id, 'm-1', 'first');
      await laptop.waitFor('turn 1', () => laptop.turnsEnded() === 1);
      assert.equal(lastCall(api).model, 'claude-first');

      await changeSettings(phone, session.id, { model: 'claude-second' });
      for (const d of [laptop, phone])
        await d.waitFor('the change', () => d.ofType('agent.settings.changed').length === 1);
      assert.equal(laptop.ofType('agent.settings.changed')[0]!.data.model, 'claude-second');
      api.script({ kind: 'text', text: 'two' });
      await laptop.say(session.id, 'm-2', 'second');
      await laptop.waitFor('turn 2', () => laptop.turnsEnded() === 2);
      assert.equal(lastCall(api).model, 'claude-second');

      await phone.say(session.id, 'm-3', '/model claude-third');
      for (const d of [laptop, phone]) {
        await d.waitFor('the /model change', () => d.ofType('agent.settings.changed').length === 2);
        await d.waitFor('turn 3', () => d.turnsEnded() === 3);
        assert.match(
          d.ofType('agent.text').find((e) => e.data.command === 'model')?.data.text ?? '',
          /claude-third/,
        );
      }
      api.script({ kind: 'text', text: 'three' });
      await laptop.say(session.id, 'm-4', 'third');
      await laptop.waitFor('turn 4', () => laptop.turnsEnded() === 4);
      assert.equal(lastCall(api).model, 'claude-third');
    });

    it('a permission mode switch is an event on every device and takes effect: an edit runs without a prompt; a mode Claude refuses is an error for everyone', async () => {
      const api = await suite.freshApi();
      const laptop = await suite.device('laptop');
      const phone = await suite.device('phone', 'mobile');
      const config = claudeSessionConfig(api, tempDir('mode'));
      const session = await createSession(laptop, 'claude', config);
      await laptop.subscribe(session.id);
      await phone.subscribe(session.id);
      api.script({ kind: 'text', text: 'ready' });
      await laptop.say(session.id, 'p-1', 'get ready');
      await laptop.waitFor('turn 1', () => laptop.turnsEnded() === 1);

      await changeSettings(phone, session.id, { permissionMode: 'acceptEdits' });
      for (const d of [laptop, phone])
        await d.waitFor('the change', () => d.ofType('agent.settings.changed').length === 1);
      const file = `${String(config.cwd)}/note.txt`;
      api.script(
        { kind: 'tool', name: 'Write', input: { file_path: file, content: 'written' } },
        { kind: 'text', text: 'wrote it' },
      );
      await laptop.say(session.id, 'p-2', 'write the note');
      for (const d of [laptop, phone]) await d.waitFor('turn 2', () => d.turnsEnded() === 2);
      for (const d of [laptop, phone]) {
        assert.equal(d.ofType('agent.permission.requested').length, 0, 'no prompt in acceptEdits');
        assert.equal(d.ofType('agent.tool.result')[0]?.data.isError, false, d.summary());
      }

      await assert.rejects(
        changeSettings(phone, session.id, { permissionMode: 'bypassPermissions' }),
        /bad_request: Claude Code refused the permission mode 'bypassPermissions'/,
      );
      for (const d of [laptop, phone]) {
        await d.waitFor('the refusal', () => d.ofType('agent.error').length === 1);
        assert.match(d.ofType('agent.error')[0]!.data.message, /bypassPermissions/);
        assert.equal(d.ofType('agent.settings.changed').length, 1, 'nothing changed');
      }
      await assert.rejects(
        changeSettings(phone, session.id, { permissionMode: 'yolo' }),
        /bad_request: permissionMode 'yolo' is not a Claude Code permission mode/,
      );
    });

    it('settings changed before the process starts are on its command line', async () => {
      const api = await suite.freshApi();
      const laptop = await suite.device('laptop');
      const config = claudeSessionConfig(api, tempDir('early'));
      const session = await createSession(laptop, 'claude', config);
      await laptop.subscribe(session.id);
      await changeSettings(laptop, session.id, { model: 'claude-early' });
      api.script({ kind: 'text', text: 'started with it' });
      await laptop.say(session.id, 'e-1', 'hello');
      await laptop.waitFor('turn 1', () => laptop.turnsEnded() === 1);
      assert.equal(lastCall(api).model, 'claude-early');
    });
  },
);

describe(
  'codex: slash commands, model and approval policy from any device',
  { timeout: 180_000 },
  () => {
    const suite = agentSuite(() => new FakeOpenAi());

    it('a model switch reaches the next request; an approval policy switch takes effect; /clear starts a new thread; an unknown command fails its turn', async () => {
      const api = await suite.freshApi();
      const desk = await suite.device('desk');
      const phone = await suite.device('phone', 'mobile');
      const session = await createSession(
        desk,
        'codex',
        codexSessionConfig(api, tempDir('codex-slash')),
      );
      await desk.subscribe(session.id);
      await phone.subscribe(session.id);

      api.script({ kind: 'text', text: 'first codex answer' });
      await desk.say(session.id, 'x-1', 'hello');
      await desk.waitFor('turn 1', () => desk.turnsEnded() === 1);
      assert.equal(lastCall(api).model, 'gpt-fake');

      await changeSettings(phone, session.id, { model: 'gpt-other', permissionMode: 'never' });
      for (const d of [desk, phone])
        await d.waitFor('the change', () => d.ofType('agent.settings.changed').length === 1);
      api.script(
        { kind: 'exec', cmd: 'touch escalated.txt', escalate: true },
        { kind: 'text', text: 'done' },
      );
      await desk.say(session.id, 'x-2', 'make a file');
      for (const d of [desk, phone]) await d.waitFor('turn 2', () => d.turnsEnded() === 2);
      assert.equal(lastCall(api).model, 'gpt-other');
      assert.equal(desk.ofType('agent.permission.requested').length, 0, 'never asks in never');

      await phone.say(session.id, 'x-3', '/frobnicate');
      for (const d of [desk, phone]) await d.waitFor('turn 3', () => d.turnsEnded() === 3);
      assert.match(
        desk.ofType('agent.turn.ended')[2]!.data.error ?? '',
        /\/frobnicate is not a command Codex offers/,
      );

      // Compaction runs as a turn of the app-server's; the fake answers its summary request.
      api.script({ kind: 'text', text: 'a summary of the conversation' });
      await phone.say(session.id, 'x-c', '/compact');
      for (const d of [desk, phone])
        await d.waitFor('the compaction turn', () => d.turnsEnded() === 4);
      assert.equal(desk.ofType('agent.turn.ended')[3]!.data.outcome, 'completed', desk.summary());
      await desk.waitFor('the compaction request', () =>
        api.modelCalls().some((c) => JSON.stringify(c).includes('CONTEXT CHECKPOINT COMPACTION')),
      );

      await phone.say(session.id, 'x-4', '/clear');
      for (const d of [desk, phone]) {
        await d.waitFor('the cleared event', () => d.ofType('agent.cleared').length === 1);
        await d.waitFor('turn 5', () => d.turnsEnded() === 5);
      }
      api.script({ kind: 'text', text: 'fresh' });
      await desk.say(session.id, 'x-5', 'anything before?');
      await desk.waitFor('turn 6', () => desk.turnsEnded() === 6);
      assert.doesNotMatch(lastCall(api).text, /first codex answer/, 'a new thread');
      assert.equal(lastCall(api).model, 'gpt-other', 'the new thread keeps the chosen model');
    });
  },
);
