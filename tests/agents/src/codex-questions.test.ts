import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { agentSuite } from './agent-suite.js';
import { createSession } from './baton-fixture.js';
import { codexSessionConfig, tempDir } from './agent-env.js';
import { FakeOpenAi } from './fake-openai.js';

const DB = 'Which database should the cache use?';
const TTL = 'How long should entries live?';
/** What the model asks with Codex's `request_user_input` tool (its own shape). */
const ASKED = [
  {
    id: 'db',
    header: 'Database',
    question: DB,
    options: [
      { label: 'SQLite (Recommended)', description: 'a file next to the app' },
      { label: 'PostgreSQL', description: 'the server we already run' },
    ],
  },
  {
    id: 'ttl',
    header: 'Lifetime',
    question: TTL,
    options: [
      { label: 'An hour', description: 'fresh enough' },
      { label: 'A day', description: 'fewer misses' },
    ],
  },
];

/** The `function_call_output` the model got for `callId`, parsed. */
function toolOutput(calls: unknown[], callId: string): unknown {
  for (const call of calls) {
    const input = (call as { input?: { type?: string; call_id?: string; output?: string }[] })
      .input;
    const item = input?.find((i) => i.type === 'function_call_output' && i.call_id === callId);
    if (item?.output !== undefined) return JSON.parse(item.output);
  }
  return undefined;
}

/**
 * A Codex session whose config turns on the questions outside Codex's Plan mode, as its user
 * would in their config.toml.
 */
function askingConfig(api: FakeOpenAi, name: string): Record<string, unknown> {
  const root = tempDir(name);
  const config = codexSessionConfig(api, root);
  appendFileSync(
    join(root, 'codex-home', 'config.toml'),
    '[features]\ndefault_mode_request_user_input = true\n',
  );
  return config;
}

describe("codex: the agent's own questions, answered from any device", { timeout: 180_000 }, () => {
  const suite = agentSuite(() => new FakeOpenAi());

  it('request_user_input shows as a question on every device; one answer reaches the model, a decline answers none', async () => {
    const api = await suite.freshApi();
    const a = await suite.device('desk');
    const b = await suite.device('phone', 'mobile');
    const session = await createSession(a, 'codex', askingConfig(api, 'codex-ask'));
    for (const d of [a, b]) await d.subscribe(session.id);
    api.script(
      { kind: 'call', name: 'request_user_input', args: { questions: ASKED } },
      { kind: 'call', name: 'request_user_input', args: { questions: [ASKED[0]] } },
      { kind: 'text', text: 'PostgreSQL for a day it is.' },
    );
    await a.say(session.id, 'cq-1', 'add a cache');

    const asked = (d: typeof a, n: number) =>
      d.waitFor(`question ${n}`, () => d.ofType('agent.permission.requested').length === n);
    for (const d of [a, b]) await asked(d, 1);
    const first = b.ofType('agent.permission.requested')[0]!;
    // Claude Code's AskUserQuestion prompt, so every client that answers Claude's answers these.
    assert.equal(first.data.toolName, 'AskUserQuestion');
    assert.deepEqual((first.data.input as { questions: unknown }).questions, [
      {
        question: DB,
        header: 'Database',
        options: ASKED[0]!.options,
        multiSelect: false,
      },
      { question: TTL, header: 'Lifetime', options: ASKED[1]!.options, multiSelect: false },
    ]);
    const answers = { [DB]: 'PostgreSQL', [TTL]: 'until the data behind it changes' };
    await b.request({
      type: 'permission.answer',
      sessionId: session.id,
      requestId: first.data.requestId,
      answer: { decision: 'allow', answers },
    });

    for (const d of [a, b]) await asked(d, 2);
    const second = a.ofType('agent.permission.requested')[1]!;
    await a.request({
      type: 'permission.answer',
      sessionId: session.id,
      requestId: second.data.requestId,
      answer: { decision: 'deny' },
    });
    for (const d of [a, b]) await d.waitFor('the turn to end', () => d.turnsEnded() === 1);

    assert.deepEqual(toolOutput(api.modelCalls(), first.data.toolCallId!), {
      answers: {
        db: { answers: ['PostgreSQL'] },
        ttl: { answers: ['until the data behind it changes'] },
      },
    });
    assert.deepEqual(toolOutput(api.modelCalls(), second.data.toolCallId!), { answers: {} });
    for (const d of [a, b]) {
      assert.deepEqual(
        d.ofType('agent.permission.resolved').map((e) => e.data.resolution),
        [{ decision: 'allow', answers }, { decision: 'deny' }],
      );
      assert.equal(d.ofType('agent.turn.ended')[0]!.data.outcome, 'completed');
    }
  });

  it('an interrupt while the questions are open withdraws them on every device; the next turn works', async () => {
    const api = await suite.freshApi();
    const a = await suite.device('desk');
    const b = await suite.device('phone', 'mobile');
    const session = await createSession(a, 'codex', askingConfig(api, 'codex-ask-stop'));
    for (const d of [a, b]) await d.subscribe(session.id);
    api.script(
      { kind: 'call', name: 'request_user_input', args: { questions: [ASKED[0]] } },
      { kind: 'text', text: 'after the stop' },
    );
    await a.say(session.id, 'cqs-1', 'add a cache');
    await b.waitFor('the question', () => b.ofType('agent.permission.requested').length === 1);
    const request = b.ofType('agent.permission.requested')[0]!;
    await b.request({ type: 'interrupt', sessionId: session.id });
    for (const d of [a, b]) await d.waitFor('the turn to end', () => d.turnsEnded() === 1);
    for (const d of [a, b]) {
      await d.waitFor(
        'the question withdrawn',
        () => d.ofType('agent.permission.resolved').length === 1,
      );
      assert.equal(
        d.ofType('agent.permission.resolved')[0]!.data.requestId,
        request.data.requestId,
      );
      assert.equal(d.ofType('agent.turn.ended')[0]!.data.outcome, 'interrupted');
    }
    await assert.rejects(
      a.request({
        type: 'permission.answer',
        sessionId: session.id,
        requestId: request.data.requestId,
        answer: { decision: 'allow', answers: { [DB]: 'SQLite' } },
      }),
      /already_resolved/,
    );
    await a.say(session.id, 'cqs-2', 'again');
    for (const d of [a, b]) await d.waitFor('the next turn', () => d.turnsEnded() === 2);
    assert.equal(b.ofType('agent.text').at(-1)!.data.text, 'after the stop');
  });
});
