import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSession } from './baton-fixture.js';
import { agentSuite } from './agent-suite.js';
import { claudeSessionConfig, tempDir } from './agent-env.js';
import { ChatProcess } from './chat-process.js';
import type { Device } from './device.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { resultText, toolResultSent } from './model-calls.js';

const PLAN = '# Plan\n\n1. Add the `--verbose` flag\n2. Test it';

const QUESTIONS = [
  {
    question: 'Which database should the cache use?',
    header: 'Database',
    options: [
      { label: 'SQLite', description: 'a file next to the app' },
      { label: 'PostgreSQL', description: 'the shared server' },
    ],
    multiSelect: false,
  },
];

/** The one request the device sees, once it arrives. */
async function theRequest(d: Device, toolName: string) {
  await d.waitFor(`the ${toolName} request`, () =>
    d.ofType('agent.permission.requested').some((e) => e.data.toolName === toolName),
  );
  return d.ofType('agent.permission.requested').find((e) => e.data.toolName === toolName)!;
}

describe('claude: plan mode and questions answered from any device', { timeout: 180_000 }, () => {
  const suite = agentSuite(() => new FakeAnthropic());

  /** A plan-mode session with two devices subscribed, and a turn that ends in ExitPlanMode. */
  async function planTurn() {
    const api = await suite.freshApi();
    const a = await suite.device('desk');
    const b = await suite.device('phone', 'mobile');
    const config = { ...claudeSessionConfig(api, tempDir('plan')), permissionMode: 'plan' };
    const session = await createSession(a, 'claude', config);
    for (const d of [a, b]) await d.subscribe(session.id);
    api.script({ kind: 'plan', plan: PLAN }, { kind: 'text', text: 'Carrying on.' });
    await a.say(session.id, 'plan-1', 'add a verbose flag; plan first');
    const request = await theRequest(b, 'ExitPlanMode');
    // Every device shows the plan itself.
    for (const d of [a, b]) {
      const seen = await theRequest(d, 'ExitPlanMode');
      assert.equal((seen.data.input as { plan?: string }).plan, PLAN);
    }
    return { api, a, b, session, request };
  }

  it('a plan approved from a second device: the CLI carries on, the model hears it was approved, the first device sees who approved', async () => {
    const { api, a, b, session, request } = await planTurn();
    await b.request({
      type: 'permission.answer',
      sessionId: session.id,
      requestId: request.data.requestId,
      answer: { decision: 'allow' },
    });
    for (const d of [a, b]) await d.waitFor('the turn to end', () => d.turnsEnded() === 1);
    const sent = toolResultSent(api.modelCalls(), request.data.toolCallId!);
    assert.ok(sent, 'the model got the ExitPlanMode result');
    assert.notEqual(sent.is_error, true);
    assert.match(resultText(sent), /approved your plan/);
    const resolved = a.ofType('agent.permission.resolved')[0]!;
    // Answered by the phone: neither the desk (which sent the message) nor baton itself.
    assert.notEqual(resolved.data.deviceId, a.ofType('input')[0]!.data.deviceId);
    assert.notEqual(resolved.data.deviceId, 'baton');
    assert.deepEqual(resolved.data.resolution, { decision: 'allow' });
    const planResult = a
      .ofType('agent.tool.result')
      .find((e) => e.data.toolCallId === request.data.toolCallId);
    assert.equal(planResult?.data.isError, false);
    assert.deepEqual(
      a.ofType('agent.text').map((e) => e.data.text),
      ['Carrying on.'],
    );
    const ended = a.ofType('agent.turn.ended')[0]!.data;
    assert.equal(ended.outcome, 'completed');
    // Claude's own usage, also in the shape shared with Codex: two model calls' worth.
    assert.ok(ended.tokens && ended.tokens.input > 0 && ended.tokens.output > 0, 'tokens');
    assert.equal(ended.costEstimated, undefined, "Claude's cost is its own figure");
  });

  it('a plan sent back from a second device: the model gets the feedback as the tool error', async () => {
    const { api, a, b, session, request } = await planTurn();
    await b.request({
      type: 'permission.answer',
      sessionId: session.id,
      requestId: request.data.requestId,
      answer: { decision: 'deny', message: 'Split step 1 in two.' },
    });
    for (const d of [a, b]) await d.waitFor('the turn to end', () => d.turnsEnded() === 1);
    const sent = toolResultSent(api.modelCalls(), request.data.toolCallId!);
    assert.ok(sent, 'the model got the ExitPlanMode result');
    assert.equal(sent.is_error, true);
    assert.match(resultText(sent), /Split step 1 in two\./);
    const resolved = a.ofType('agent.permission.resolved')[0]!;
    assert.deepEqual(resolved.data.resolution, {
      decision: 'deny',
      message: 'Split step 1 in two.',
    });
    const planResult = a
      .ofType('agent.tool.result')
      .find((e) => e.data.toolCallId === request.data.toolCallId);
    assert.equal(planResult?.data.isError, true);
  });

  it('AskUserQuestion is answered from a second device and the answer reaches the model', async () => {
    const api = await suite.freshApi();
    const a = await suite.device('desk');
    const b = await suite.device('phone', 'mobile');
    const session = await createSession(a, 'claude', claudeSessionConfig(api, tempDir('ask')));
    for (const d of [a, b]) await d.subscribe(session.id);
    api.script(
      { kind: 'tool', name: 'AskUserQuestion', input: { questions: QUESTIONS } },
      { kind: 'text', text: 'PostgreSQL it is.' },
    );
    await a.say(session.id, 'ask-1', 'add a cache');
    const request = await theRequest(b, 'AskUserQuestion');
    assert.deepEqual((request.data.input as { questions: unknown }).questions, QUESTIONS);
    await theRequest(a, 'AskUserQuestion');
    await b.request({
      type: 'permission.answer',
      sessionId: session.id,
      requestId: request.data.requestId,
      answer: {
        decision: 'allow',
        answers: { 'Which database should the cache use?': 'PostgreSQL' },
      },
    });
    for (const d of [a, b]) await d.waitFor('the turn to end', () => d.turnsEnded() === 1);
    const sent = toolResultSent(api.modelCalls(), request.data.toolCallId!);
    assert.ok(sent, 'the model got the AskUserQuestion result');
    assert.notEqual(sent.is_error, true);
    assert.match(resultText(sent), /"Which database should the cache use\?"="PostgreSQL"/);
    assert.deepEqual(a.ofType('agent.permission.resolved')[0]!.data.resolution, {
      decision: 'allow',
      answers: { 'Which database should the cache use?': 'PostgreSQL' },
    });
  });

  it('AskUserQuestion is shown in a `baton attach` terminal with its options and answered there with /answer', async () => {
    const api = await suite.freshApi();
    const a = await suite.device('desk');
    const session = await createSession(a, 'claude', claudeSessionConfig(api, tempDir('ask-cli')));
    await a.subscribe(session.id);
    const { url, ownerToken } = suite.server();
    const chat = ChatProcess.start(url, ownerToken, session.id);
    try {
      api.script(
        { kind: 'tool', name: 'AskUserQuestion', input: { questions: QUESTIONS } },
        { kind: 'text', text: 'SQLite it is.' },
      );
      await a.say(session.id, 'ask-cli-1', 'add a cache');
      await chat.waitFor(
        'the question with its options',
        /Which database should the cache use\? \(Database\)\n\s+1\. SQLite — a file next to the app\n\s+2\. PostgreSQL/,
      );
      await chat.waitFor('how to answer', /answer with \/answer 2/);
      chat.type('/answer 1');
      await chat.waitFor(
        'the answer',
        /✓ answered by owner .*\n\s+Which database should the cache use\? → SQLite/,
      );
      await a.waitFor('the turn to end', () => a.turnsEnded() === 1);
      const request = a.ofType('agent.permission.requested')[0]!;
      const sent = toolResultSent(api.modelCalls(), request.data.toolCallId!);
      assert.match(resultText(sent), /"Which database should the cache use\?"="SQLite"/);
      assert.equal(await chat.detach(), 0);
    } finally {
      chat.kill();
    }
  });

  it('messages from two devices batched into one turn: the model is told which device sent which; every device shows the text as typed', async () => {
    const api = await suite.freshApi();
    const a = await suite.device('desk');
    const b = await suite.device('phone', 'mobile');
    const session = await createSession(a, 'claude', claudeSessionConfig(api, tempDir('who')));
    for (const d of [a, b]) await d.subscribe(session.id);
    api.script(
      { kind: 'text', text: 'a slow first answer that takes a while', chunks: 8, delayMs: 150 },
      { kind: 'text', text: 'answer to both' },
    );
    await a.say(session.id, 'w-1', 'first');
    await b.waitFor('streaming to begin', () => b.deltas.length > 0);
    await b.say(session.id, 'w-2', 'use tabs');
    await a.say(session.id, 'w-3', 'no, spaces');
    for (const d of [a, b]) await d.waitFor('two turns', () => d.turnsEnded() === 2);
    assert.deepEqual(
      a.ofType('agent.turn.started').map((e) => e.data.inputIds),
      [['w-1'], ['w-2', 'w-3']],
    );
    const last = JSON.stringify((api.modelCalls().at(-1) as { messages: unknown }).messages);
    assert.ok(
      last.includes(JSON.stringify('[sent from the device "phone"]\nuse tabs')),
      `the model was told the phone sent "use tabs": ${last}`,
    );
    assert.ok(
      last.includes(JSON.stringify('[sent from the device "desk"]\nno, spaces')),
      `the model was told the desk sent "no, spaces": ${last}`,
    );
    // The first turn, from one device only, went as typed.
    assert.ok(!JSON.stringify(api.modelCalls()[0]).includes('sent from the device'));
    for (const d of [a, b])
      assert.deepEqual(
        d.ofType('input').map((e) => ('text' in e.data.payload ? e.data.payload.text : '')),
        ['first', 'use tabs', 'no, spaces'],
      );
  });
});
