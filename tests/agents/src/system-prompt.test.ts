import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatonFixture, createSession } from './baton-fixture.js';
import { claudeSessionConfig, codexSessionConfig, tempDir } from './agent-env.js';
import type { Device } from './device.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { FakeOpenAi } from './fake-openai.js';

/** What the user types: odd spacing and a second line, which must survive exactly. */
const TYPED = '  just my words,\n  exactly as typed  ';

/** Every device's log holds the input exactly as typed, and nothing of the system prompt. */
async function assertLogsShowTheTypedText(devices: Device[], secret: string): Promise<void> {
  for (const d of devices) {
    await d.waitFor('the turn to end', () => d.turnsEnded() === 1);
    const inputs = d.ofType('input');
    assert.equal(inputs.length, 1);
    assert.deepEqual(inputs[0]!.data.payload, { kind: 'message', text: TYPED });
    const shown = JSON.stringify(d.events.filter((e) => e.type !== 'session.created'));
    assert.doesNotMatch(shown, new RegExp(secret), `${d.name} was shown the system prompt`);
    assert.equal(d.ofType('agent.turn.ended')[0]!.data.outcome, 'completed');
  }
}

describe('what the agent is told is not what the user typed', { timeout: 120_000 }, () => {
  let baton: BatonFixture;
  const closers: Array<() => Promise<void>> = [];
  before(async () => {
    baton = await BatonFixture.start();
  });
  after(async () => {
    await baton.close();
    for (const close of closers) await close();
  });

  it('claude: the session system prompt reaches the model as its system prompt, through the server', async () => {
    const api = await new FakeAnthropic().start();
    closers.push(() => api.close());
    const desk = await baton.device('desk');
    const phone = await baton.device('phone', 'mobile');
    const session = await createSession(desk, 'claude', {
      ...claudeSessionConfig(api, tempDir('sp-claude')),
      systemPrompt: 'BATON-CONTEXT-42',
    });
    for (const d of [desk, phone]) await d.subscribe(session.id);
    api.script({ kind: 'text', text: 'ok' });
    await phone.say(session.id, 'sp-1', TYPED);
    await assertLogsShowTheTypedText([desk, phone], 'BATON-CONTEXT-42');

    const call = api.modelCalls()[0] as { system: unknown; messages: unknown };
    assert.match(JSON.stringify(call.system), /BATON-CONTEXT-42/);
    assert.doesNotMatch(JSON.stringify(call.messages), /BATON-CONTEXT-42/);
    assert.ok(JSON.stringify(call.messages).includes(JSON.stringify(TYPED).slice(1, -1)));
  });

  it('codex: the session system prompt reaches the model as developer instructions, through the server', async () => {
    const api = await new FakeOpenAi().start();
    closers.push(() => api.close());
    const desk = await baton.device('desk');
    const phone = await baton.device('phone', 'mobile');
    const session = await createSession(desk, 'codex', {
      ...codexSessionConfig(api, tempDir('sp-codex')),
      systemPrompt: 'BATON-CONTEXT-43',
    });
    for (const d of [desk, phone]) await d.subscribe(session.id);
    api.script({ kind: 'text', text: 'ok' });
    await desk.say(session.id, 'sp-2', TYPED);
    await assertLogsShowTheTypedText([desk, phone], 'BATON-CONTEXT-43');

    const input = (api.modelCalls()[0] as { input: Array<{ role?: string; content?: unknown }> })
      .input;
    const of = (role: string) =>
      input
        .filter((i) => i.role === role)
        .map((i) => JSON.stringify(i.content))
        .join();
    assert.match(of('developer'), /BATON-CONTEXT-43/);
    assert.doesNotMatch(of('user'), /BATON-CONTEXT-43/);
    assert.ok(of('user').includes(JSON.stringify(TYPED).slice(1, -1)));
  });
});
