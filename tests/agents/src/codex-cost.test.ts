import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { codexSessionConfig, tempDir } from './agent-env.js';
import { createSession } from './baton-fixture.js';
import { Device } from './device.js';
import { FakeOpenAi } from './fake-openai.js';
import { ServerProcess } from './server-process.js';

/** What the fake OpenAI API reports for every call: 12 input tokens, 7 output tokens. */
const PRICE = { input: 2, cachedInput: 0.5, output: 10 };
const TURN_COST = (12 * PRICE.input + 7 * PRICE.output) / 1_000_000;

/**
 * Codex reports tokens but no cost: baton estimates each turn's from the model's price, here
 * one set for the fake model in the config file (`agents.codex.prices`), as a person would for
 * a model the built-in table lacks. The real Codex CLI, `baton serve --config`, a raw device.
 */
describe('codex: cost per turn and per session', { timeout: 120_000 }, () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('each turn ends with its tokens and an estimated cost; the session sums them', async () => {
    const api = await new FakeOpenAi().start();
    closers.push(() => api.close());
    const root = tempDir('codex-cost');
    const config = join(root, 'baton.json');
    writeFileSync(config, JSON.stringify({ agents: { codex: { prices: { 'gpt-fake': PRICE } } } }));
    const server = await ServerProcess.start(tempDir('data'), { args: ['--config', config] });
    closers.push(() => server.stop());
    const device = await Device.register(server.url, server.ownerToken, 'desk', 'tab');
    closers.push(() => Promise.resolve(device.close()));
    const session = await createSession(device, 'codex', codexSessionConfig(api, root));
    await device.subscribe(session.id);
    for (const [i, text] of ['first', 'second'].entries()) {
      api.script({ kind: 'text', text: `answer to the ${text}`, chunks: 2 });
      await device.say(session.id, `cost-${i}`, text);
      await device.waitFor(`turn ${i + 1}`, () => device.turnsEnded() === i + 1);
    }
    for (const ended of device.ofType('agent.turn.ended')) {
      assert.equal(ended.data.outcome, 'completed');
      assert.deepEqual(ended.data.tokens, { input: 12, cacheRead: 0, output: 7, reasoning: 0 });
      assert.equal(ended.data.costEstimated, true);
      assert.ok(Math.abs(ended.data.costUsd! - TURN_COST) < 1e-12, `cost ${ended.data.costUsd}`);
    }
    const { sessions } = await device.request<{ sessions: SessionInfo[] }>({
      type: 'sessions.watch',
    });
    const usage = sessions.find((s) => s.id === session.id)?.usage;
    assert.ok(usage, 'the session lists its usage');
    assert.equal(usage.turns, 2);
    assert.deepEqual(usage.tokens, { input: 24, cacheRead: 0, output: 14, reasoning: 0 });
    assert.equal(usage.costEstimated, true);
    assert.ok(Math.abs(usage.costUsd! - 2 * TURN_COST) < 1e-12);
  });
});
