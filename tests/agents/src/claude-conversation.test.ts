import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentSuite } from './agent-suite.js';
import { createSession } from './baton-fixture.js';
import { CLAUDE_BIN, claudeSessionConfig, tempDir } from './agent-env.js';
import { countingBinary } from './counting-binary.js';
import { FakeAnthropic } from './fake-anthropic.js';

describe('claude: a conversation shared by several devices', { timeout: 120_000 }, () => {
  const suite = agentSuite(() => new FakeAnthropic());

  it('two turns started on one device and continued on another; both see every token in order', async () => {
    const api = await suite.freshApi();
    const laptop = await suite.device('laptop');
    const phone = await suite.device('phone', 'mobile');
    const root = tempDir('claude-two');
    const agent = countingBinary(CLAUDE_BIN, root);
    const config: Record<string, unknown> = {
      ...claudeSessionConfig(api, root),
      binary: agent.path,
    };
    const session = await createSession(laptop, 'claude', config);
    await laptop.subscribe(session.id);
    await phone.subscribe(session.id);

    api.script({ kind: 'text', text: 'Hello from the first turn, streamed in pieces.', chunks: 5 });
    await laptop.say(session.id, 'laptop-1', 'first question');
    for (const d of [laptop, phone]) await d.waitFor('turn 1 to end', () => d.turnsEnded() === 1);

    api.script({ kind: 'text', text: 'And the second answer knows the first.', chunks: 4 });
    await phone.say(session.id, 'phone-1', 'second question');
    for (const d of [laptop, phone]) await d.waitFor('turn 2 to end', () => d.turnsEnded() === 2);

    for (const d of [laptop, phone]) {
      const texts = d.ofType('agent.text').map((e) => e.data.text);
      assert.deepEqual(texts, [
        'Hello from the first turn, streamed in pieces.',
        'And the second answer knows the first.',
      ]);
      for (const e of d.ofType('agent.text'))
        assert.equal(d.streamed(e.data.messageId), e.data.text);
      assert.deepEqual(
        d.ofType('agent.turn.ended').map((e) => e.data.outcome),
        ['completed', 'completed'],
      );
      assert.deepEqual(
        d.ofType('agent.turn.started').map((e) => e.data.inputIds),
        [['laptop-1'], ['phone-1']],
      );
      assert.deepEqual(
        d.ofType('input.delivered').map((e) => e.data.inputId),
        ['laptop-1', 'phone-1'],
      );
      assert.equal(d.ofType('agent.bound').length, 1);
    }
    // Both devices saw the same log.
    assert.deepEqual(
      laptop.events.map((e) => e.seq),
      phone.events.map((e) => e.seq),
    );
    assert.equal(agent.starts(), 1, 'one process for the whole conversation');
    // One process answered both turns, and the second call carried the first turn's history.
    const calls = api.modelCalls() as Array<{ messages: unknown }>;
    const last = JSON.stringify(calls[calls.length - 1]!.messages);
    assert.match(last, /first question/);
    assert.match(last, /Hello from the first turn/);
    const userText = laptop.ofType('input').map((e) => e.data.payload);
    assert.deepEqual(userText, [
      { kind: 'message', text: 'first question' },
      { kind: 'message', text: 'second question' },
    ]);
  });
});
