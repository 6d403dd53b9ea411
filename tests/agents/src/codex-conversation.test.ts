import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { agentSuite } from './agent-suite.js';
import { createSession } from './baton-fixture.js';
import { codexSessionConfig, tempDir } from './agent-env.js';
import { FakeOpenAi } from './fake-openai.js';

describe(
  'codex: one app-server conversation shared by several devices',
  { timeout: 180_000 },
  () => {
    const suite = agentSuite(() => new FakeOpenAi());

    it('two turns from two devices, every token in order on both', async () => {
      const api = await suite.freshApi();
      const a = await suite.device('desk');
      const b = await suite.device('phone', 'mobile');
      const session = await createSession(
        a,
        'codex',
        codexSessionConfig(api, tempDir('codex-two')),
      );
      await a.subscribe(session.id);
      await b.subscribe(session.id);
      api.script({ kind: 'text', text: 'Codex answers the first one in pieces.', chunks: 5 });
      await a.say(session.id, 'c-1', 'first');
      for (const d of [a, b]) await d.waitFor('turn 1', () => d.turnsEnded() === 1);
      api.script({ kind: 'text', text: 'and the second one too', chunks: 3 });
      await b.say(session.id, 'c-2', 'second');
      for (const d of [a, b]) await d.waitFor('turn 2', () => d.turnsEnded() === 2);
      for (const d of [a, b]) {
        assert.deepEqual(
          d.ofType('agent.text').map((e) => e.data.text),
          ['Codex answers the first one in pieces.', 'and the second one too'],
        );
        for (const e of d.ofType('agent.text'))
          assert.equal(d.streamed(e.data.messageId), e.data.text);
        assert.deepEqual(
          d.ofType('agent.turn.ended').map((e) => e.data.outcome),
          ['completed', 'completed'],
        );
        assert.equal(d.ofType('agent.bound').length, 1);
        assert.ok(d.ofType('agent.turn.ended')[0]!.data.usage, 'usage is reported');
      }
      const last = JSON.stringify((api.modelCalls().at(-1) as { input: unknown }).input);
      assert.match(last, /Codex answers the first one/);
    });

    it('a command approval is answered from a third device; a second answer is refused', async () => {
      const api = await suite.freshApi();
      const [a, b, c] = [
        await suite.device('desk'),
        await suite.device('phone', 'mobile'),
        await suite.device('panel', 'sidepanel'),
      ];
      const config = codexSessionConfig(api, tempDir('codex-perm'));
      const session = await createSession(a, 'codex', config);
      for (const d of [a, b, c]) await d.subscribe(session.id);
      api.script(
        { kind: 'exec', cmd: 'touch made-by-codex.txt', escalate: true },
        { kind: 'text', text: 'made it' },
      );
      await a.say(session.id, 'cp-1', 'make a file');
      await c.waitFor(
        'the approval request',
        () => c.ofType('agent.permission.requested').length === 1,
      );
      const request = c.ofType('agent.permission.requested')[0]!;
      assert.equal(request.data.toolName, 'command');
      assert.match(JSON.stringify(request.data.input), /touch made-by-codex.txt/);
      await c.request({
        type: 'permission.answer',
        sessionId: session.id,
        requestId: request.data.requestId,
        answer: { decision: 'allow' },
      });
      await assert.rejects(
        b.request({
          type: 'permission.answer',
          sessionId: session.id,
          requestId: request.data.requestId,
          answer: { decision: 'deny' },
        }),
        /already_resolved/,
      );
      for (const d of [a, b, c]) await d.waitFor('the turn to end', () => d.turnsEnded() === 1);
      for (const d of [a, b]) {
        assert.deepEqual(
          d.ofType('agent.permission.resolved').map((e) => e.data.resolution),
          [{ decision: 'allow' }],
        );
        assert.equal(d.ofType('agent.tool.call').length, 1);
        assert.equal(d.ofType('agent.tool.result')[0]!.data.isError, false);
        assert.equal(d.ofType('agent.turn.ended')[0]!.data.outcome, 'completed');
      }
      assert.ok(existsSync(join(String(config.cwd), 'made-by-codex.txt')));
    });

    it('stop during streaming ends the turn as interrupted; the next turn works', async () => {
      const api = await suite.freshApi();
      const a = await suite.device('desk');
      const b = await suite.device('phone', 'mobile');
      const session = await createSession(
        a,
        'codex',
        codexSessionConfig(api, tempDir('codex-stop')),
      );
      await a.subscribe(session.id);
      await b.subscribe(session.id);
      api.script(
        {
          kind: 'text',
          text: 'a very long and slow codex answer that gets stopped',
          chunks: 20,
          delayMs: 200,
        },
        { kind: 'text', text: 'after the stop' },
      );
      await a.say(session.id, 'cs-1', 'slowly');
      await b.waitFor('streaming', () => b.deltas.length >= 2);
      await b.request({ type: 'interrupt', sessionId: session.id });
      for (const d of [a, b]) await d.waitFor('the turn to end', () => d.turnsEnded() === 1);
      assert.equal(a.ofType('agent.turn.ended')[0]!.data.outcome, 'interrupted');
      await a.say(session.id, 'cs-2', 'again');
      for (const d of [a, b]) await d.waitFor('the next turn', () => d.turnsEnded() === 2);
      assert.equal(b.ofType('agent.turn.ended')[1]!.data.outcome, 'completed');
      assert.equal(b.ofType('agent.text').at(-1)!.data.text, 'after the stop');
    });

    it('an interrupted turn keeps the text streamed so far, on every device', async () => {
      const api = await suite.freshApi();
      const a = await suite.device('desk');
      const b = await suite.device('phone', 'mobile');
      const session = await createSession(
        a,
        'codex',
        codexSessionConfig(api, tempDir('codex-partial')),
      );
      await a.subscribe(session.id);
      await b.subscribe(session.id);
      const full = 'the first words arrive, and then the rest never does because of the stop';
      api.script({ kind: 'text', text: full, chunks: 30, delayMs: 200 });
      await a.say(session.id, 'cp-1', 'talk slowly');
      await b.waitFor('a few words', () => b.deltas.length >= 3);
      await b.request({ type: 'interrupt', sessionId: session.id });
      for (const d of [a, b]) await d.waitFor('the turn to end', () => d.turnsEnded() === 1);
      for (const d of [a, b]) {
        const ended = d.ofType('agent.turn.ended')[0]!;
        assert.equal(ended.data.outcome, 'interrupted');
        const texts = d.ofType('agent.text');
        assert.equal(texts.length, 1, 'the partial answer is stored');
        const kept = texts[0]!;
        assert.ok(kept.seq < ended.seq, 'before the turn ended');
        assert.ok(kept.data.text.length > 0 && full.startsWith(kept.data.text), kept.data.text);
        assert.ok(kept.data.text.length < full.length, 'it is the part streamed before the stop');
        assert.equal(kept.data.text, d.streamed(kept.data.messageId), 'what was streamed, whole');
      }
    });

    it('model API errors end the turn as failed with the error shown', async () => {
      const api = await suite.freshApi();
      const a = await suite.device('desk');
      const session = await createSession(
        a,
        'codex',
        codexSessionConfig(api, tempDir('codex-err')),
      );
      await a.subscribe(session.id);
      api.script({ kind: 'error', status: 500, message: 'fake outage' });
      await a.say(session.id, 'ce-1', 'hello?');
      await a.waitFor('the failed turn', () => a.turnsEnded() === 1);
      const ended = a.ofType('agent.turn.ended')[0]!;
      assert.equal(ended.data.outcome, 'failed');
      assert.ok((ended.data.error ?? '').length > 0);
      api.script({ kind: 'text', text: 'recovered' });
      await a.say(session.id, 'ce-2', 'again');
      await a.waitFor('the next turn', () => a.turnsEnded() === 2);
      assert.equal(a.ofType('agent.turn.ended')[1]!.data.outcome, 'completed');
    });
  },
);
