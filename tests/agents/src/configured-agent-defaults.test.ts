import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CLAUDE_BIN, claudeSessionConfig, tempDir } from './agent-env.js';
import { createSession } from './baton-fixture.js';
import { Device } from './device.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { ServerProcess } from './server-process.js';

/**
 * The config file's `agents.claude.binary` and `.model` reach the real Claude Code CLI: `baton
 * serve --config` as a person runs it, a session created with neither, and the model the fake
 * API is asked for. A session that names its own model keeps it.
 */
describe('agent defaults from the config file', { timeout: 120_000 }, () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('a claude session without binary or model runs the configured binary with the configured model', async () => {
    const api = await new FakeAnthropic().start();
    closers.push(() => api.close());
    const root = tempDir('defaults');
    const config = join(root, 'baton.json');
    writeFileSync(
      config,
      JSON.stringify({ agents: { claude: { binary: CLAUDE_BIN, model: 'claude-from-config' } } }),
    );
    // No claude on the server's PATH: only the configured binary can answer.
    const server = await ServerProcess.start(tempDir('data'), {
      args: ['--config', config],
      env: { PATH: '/usr/bin:/bin' },
    });
    closers.push(() => server.stop());
    const ask = async (sessionConfig: Record<string, unknown>, inputId: string, text: string) => {
      // A device per session: a Device follows one session's log.
      const device = await Device.register(server.url, server.ownerToken, inputId, 'tab');
      closers.push(() => Promise.resolve(device.close()));
      const session = await createSession(device, 'claude', sessionConfig);
      await device.subscribe(session.id);
      api.script({ kind: 'text', text: `answer to ${text}`, chunks: 1 });
      const ended = device.turnsEnded();
      await device.say(session.id, inputId, text);
      await device.waitFor(`the turn answering ${text}`, () => device.turnsEnded() === ended + 1);
      const calls = api.modelCalls() as { model: string; messages: unknown }[];
      const asked = calls.filter((c) => JSON.stringify(c.messages).includes(text));
      assert.ok(asked.length > 0, `a model call carried ${text}`);
      return asked.map((c) => c.model);
    };

    const plain = claudeSessionConfig(api, join(root, 'plain'));
    delete plain['binary'];
    assert.deepEqual(
      new Set(await ask(plain, 'q-1', 'first question')),
      new Set(['claude-from-config']),
    );

    const own: Record<string, unknown> = {
      ...claudeSessionConfig(api, join(root, 'own')),
      model: 'claude-own-choice',
    };
    delete own['binary'];
    assert.deepEqual(
      new Set(await ask(own, 'q-2', 'second question')),
      new Set(['claude-own-choice']),
    );
  });
});
