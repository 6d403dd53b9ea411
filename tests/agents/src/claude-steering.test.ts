import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BatonFixture, createSession } from './baton-fixture.js';
import { agentSuite } from './agent-suite.js';
import { claudeSessionConfig, tempDir } from './agent-env.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { createClaudeRunnerFactory } from '../../../packages/server/dist/runners/claude/index.js';

describe('claude: steering one conversation from several devices', { timeout: 180_000 }, () => {
  const suite = agentSuite(() => new FakeAnthropic());

  it('a message sent from a second device during a turn is queued and answered next', async () => {
    const api = await suite.freshApi();
    const a = await suite.device('desk');
    const b = await suite.device('phone', 'mobile');
    const session = await createSession(a, 'claude', claudeSessionConfig(api, tempDir('queue')));
    await a.subscribe(session.id);
    await b.subscribe(session.id);
    api.script(
      { kind: 'text', text: 'a slow first answer that takes a while', chunks: 8, delayMs: 150 },
      { kind: 'text', text: 'answer to the queued one' },
    );
    await a.say(session.id, 'q-1', 'first');
    await b.waitFor('streaming to begin', () => b.deltas.length > 0);
    await b.say(session.id, 'q-2', 'sent while busy');
    // Queued: stored and shown, not yet delivered while the first turn runs.
    await a.waitFor('the queued input', () => a.ofType('input').length === 2);
    assert.equal(a.turnsEnded(), 0);
    assert.deepEqual(
      a.ofType('input.delivered').map((e) => e.data.inputId),
      ['q-1'],
    );
    for (const d of [a, b]) await d.waitFor('two turns', () => d.turnsEnded() === 2);
    for (const d of [a, b]) {
      assert.deepEqual(
        d.ofType('agent.turn.started').map((e) => e.data.inputIds),
        [['q-1'], ['q-2']],
      );
      assert.deepEqual(
        d.ofType('agent.text').map((e) => e.data.text),
        ['a slow first answer that takes a while', 'answer to the queued one'],
      );
      // The queued message was delivered only after the first turn ended.
      const firstEnd = d.ofType('agent.turn.ended')[0]!.seq;
      const delivered = d.ofType('input.delivered').find((e) => e.data.inputId === 'q-2')!;
      assert.ok(delivered.seq > firstEnd);
    }
  });

  it('a permission prompt is approved from a third device; the others see it resolved; a second answer is refused', async () => {
    const api = await suite.freshApi();
    const a = await suite.device('desk');
    const b = await suite.device('phone', 'mobile');
    const c = await suite.device('side panel', 'sidepanel');
    const root = tempDir('perm');
    const config = claudeSessionConfig(api, root);
    const session = await createSession(a, 'claude', config);
    for (const d of [a, b, c]) await d.subscribe(session.id);
    const target = join(String(config.cwd), 'made-by-claude.txt');
    api.script(
      {
        kind: 'tool',
        name: 'Bash',
        input: { command: `touch ${target}`, description: 'create a file' },
      },
      { kind: 'text', text: 'The file exists now.' },
    );
    await a.say(session.id, 'p-1', 'please create the file');
    await c.waitFor(
      'the permission request',
      () => c.ofType('agent.permission.requested').length === 1,
    );
    const request = c.ofType('agent.permission.requested')[0]!;
    assert.equal(request.data.toolName, 'Bash');
    assert.deepEqual(request.data.input, {
      command: `touch ${target}`,
      description: 'create a file',
    });
    assert.ok(request.data.toolCallId);
    // Every device shows the outstanding prompt.
    for (const d of [a, b])
      await d.waitFor('the prompt', () => d.ofType('agent.permission.requested').length === 1);
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
      const resolved = d.ofType('agent.permission.resolved');
      assert.equal(resolved.length, 1);
      assert.equal(resolved[0]!.data.requestId, request.data.requestId);
      assert.deepEqual(resolved[0]!.data.resolution, { decision: 'allow' });
      const results = d.ofType('agent.tool.result');
      assert.equal(results.length, 1);
      assert.equal(results[0]!.data.toolCallId, request.data.toolCallId);
      assert.equal(results[0]!.data.isError, false);
      assert.equal(d.ofType('agent.turn.ended')[0]!.data.outcome, 'completed');
    }
    assert.ok(existsSync(target), 'the approved command ran');
  });

  it('stop during streaming from another device ends the turn as interrupted; the next turn works', async () => {
    const api = await suite.freshApi();
    const a = await suite.device('desk');
    const b = await suite.device('phone', 'mobile');
    const session = await createSession(a, 'claude', claudeSessionConfig(api, tempDir('stop')));
    await a.subscribe(session.id);
    await b.subscribe(session.id);
    api.script(
      {
        kind: 'text',
        text: 'this answer is long and slow and will be cut off early',
        chunks: 20,
        delayMs: 200,
      },
      { kind: 'text', text: 'fresh answer after the stop' },
    );
    await a.say(session.id, 's-1', 'talk slowly');
    await b.waitFor('streaming to begin', () => b.deltas.length >= 2);
    await b.request({ type: 'interrupt', sessionId: session.id });
    for (const d of [a, b]) await d.waitFor('the turn to end', () => d.turnsEnded() === 1);
    for (const d of [a, b])
      assert.equal(d.ofType('agent.turn.ended')[0]!.data.outcome, 'interrupted');
    await a.say(session.id, 's-2', 'go on');
    for (const d of [a, b]) await d.waitFor('the next turn', () => d.turnsEnded() === 2);
    for (const d of [a, b]) {
      assert.equal(d.ofType('agent.turn.ended')[1]!.data.outcome, 'completed');
      const texts = d.ofType('agent.text').map((e) => e.data.text);
      assert.equal(texts[texts.length - 1], 'fresh answer after the stop');
    }
    assert.equal(a.ofType('agent.bound').length, 1, 'the same process and conversation went on');
  });

  it('model API errors end the turn as failed with the error shown; the conversation goes on', async () => {
    const api = await suite.freshApi();
    const a = await suite.device('desk');
    const session = await createSession(a, 'claude', claudeSessionConfig(api, tempDir('err')));
    await a.subscribe(session.id);
    api.script({ kind: 'error', status: 500, message: 'the fake model is down' });
    await a.say(session.id, 'e-1', 'hello?');
    await a.waitFor('the failed turn', () => a.turnsEnded() === 1);
    const ended = a.ofType('agent.turn.ended')[0]!;
    assert.equal(ended.data.outcome, 'failed');
    assert.match(ended.data.error ?? '', /500|the fake model is down/);
    assert.equal(
      a.ofType('agent.text').length,
      0,
      'the error is not shown as an assistant message',
    );
    api.script({ kind: 'text', text: 'back again' });
    await a.say(session.id, 'e-2', 'and now?');
    await a.waitFor('the next turn', () => a.turnsEnded() === 2);
    assert.equal(a.ofType('agent.turn.ended')[1]!.data.outcome, 'completed');
  });

  it('a missing binary fails session creation with what to install', async () => {
    const api = await suite.freshApi();
    const broken = await BatonFixture.start({
      runners: [createClaudeRunnerFactory({ binary: '/nonexistent/claude' })],
    });
    try {
      const a = await broken.device('desk');
      // Through the factory's default…
      const { binary: _binary, ...noBinary } = claudeSessionConfig(api, tempDir('missing'));
      await assert.rejects(
        createSession(a, 'claude', noBinary),
        /agent_unavailable: \/nonexistent\/claude was not found.*npm install -g @anthropic-ai\/claude-code/,
      );
      // …and through the session's own config.
      await assert.rejects(
        createSession(a, 'claude', {
          ...claudeSessionConfig(api, tempDir('missing2')),
          binary: '/nonexistent/claude',
        }),
        /agent_unavailable: \/nonexistent\/claude was not found.*npm install -g @anthropic-ai\/claude-code/,
      );
    } finally {
      await broken.close();
    }
  });
});
