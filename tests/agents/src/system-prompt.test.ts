import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentConfig, LogEvent, NewLogEvent } from '@baton/protocol';
import { createLogger, type InputEvent, type RunnerContext } from '@baton/server';
import { createClaudeRunnerFactory } from '../../../packages/server/dist/runners/claude/index.js';
import { createCodexRunnerFactory } from '../../../packages/server/dist/runners/codex/index.js';
import {
  CLAUDE_BIN,
  CODEX_BIN,
  claudeSessionConfig,
  codexSessionConfig,
  tempDir,
} from './agent-env.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { FakeOpenAi } from './fake-openai.js';

/**
 * A runner context that commits into an array. Used here because the session config's
 * `systemPrompt` must reach the runner exactly as configured, which this checks end to end
 * from the runner to the real CLI's model call.
 */
function memoryContext(
  kind: 'claude' | 'codex',
  config: AgentConfig,
): RunnerContext & { events: LogEvent[] } {
  const events: LogEvent[] = [];
  const commit = (batch: NewLogEvent[]) =>
    batch.map((e) => {
      const committed = { ...e, seq: events.length + 1, ts: Date.now() } as LogEvent;
      events.push(committed);
      return committed;
    });
  return {
    events,
    sessionId: 's_test',
    kind,
    config,
    sessionDir: tempDir('session-dir'),
    log: createLogger('silent'),
    emit: (batch) => Promise.resolve(commit(batch)),
    stream: () => {},
    setStatus: (status, extra) =>
      Promise.resolve(void commit([{ type: 'session.status', data: { status, ...extra } }])),
    readEvents: (after, limit) =>
      Promise.resolve(events.filter((e) => e.seq > after).slice(0, limit)),
    latestSnapshot: () => Promise.resolve({ kind: 'none' }),
  };
}

function userInput(ctx: { events: LogEvent[] }, inputId: string, text: string): InputEvent {
  const event = {
    seq: ctx.events.length + 1,
    ts: Date.now(),
    type: 'input',
    data: { inputId, deviceId: 'd', payload: { kind: 'message', text } },
  } as InputEvent;
  ctx.events.push(event);
  return event;
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('what the agent is told is not what the user typed', { timeout: 120_000 }, () => {
  it('claude: the system prompt goes to the system prompt, the message stays the user text', async () => {
    const api = await new FakeAnthropic().start();
    const config = {
      ...claudeSessionConfig(api, tempDir('sp-claude')),
      systemPrompt: 'BATON-CONTEXT-42',
    } as AgentConfig;
    const ctx = memoryContext('claude', config);
    const runner = createClaudeRunnerFactory({ binary: CLAUDE_BIN }).create(ctx);
    try {
      await runner.start();
      api.script({ kind: 'text', text: 'ok' });
      await runner.input(userInput(ctx, 'u1', 'just my words'));
      await until(() => ctx.events.some((e) => e.type === 'agent.turn.ended'));
      const call = api.modelCalls()[0] as { system: unknown; messages: unknown };
      assert.match(JSON.stringify(call.system), /BATON-CONTEXT-42/);
      assert.doesNotMatch(JSON.stringify(call.messages), /BATON-CONTEXT-42/);
      assert.match(JSON.stringify(call.messages), /just my words/);
    } finally {
      await runner.stop();
      await api.close();
    }
  });

  it('codex: the system prompt goes in as developer instructions', async () => {
    const api = await new FakeOpenAi().start();
    const config = {
      ...codexSessionConfig(api, tempDir('sp-codex')),
      systemPrompt: 'BATON-CONTEXT-43',
    } as AgentConfig;
    const ctx = memoryContext('codex', config);
    const runner = createCodexRunnerFactory({ binary: CODEX_BIN }).create(ctx);
    try {
      await runner.start();
      api.script({ kind: 'text', text: 'ok' });
      await runner.input(userInput(ctx, 'u1', 'only what I typed'));
      await until(() => ctx.events.some((e) => e.type === 'agent.turn.ended'));
      const input = (api.modelCalls()[0] as { input: Array<{ role?: string; content?: unknown }> })
        .input;
      const developer = input
        .filter((i) => i.role === 'developer')
        .map((i) => JSON.stringify(i.content))
        .join();
      const user = input
        .filter((i) => i.role === 'user')
        .map((i) => JSON.stringify(i.content))
        .join();
      assert.match(developer, /BATON-CONTEXT-43/);
      assert.doesNotMatch(user, /BATON-CONTEXT-43/);
      assert.match(user, /only what I typed/);
    } finally {
      await runner.stop();
      await api.close();
    }
  });
});
