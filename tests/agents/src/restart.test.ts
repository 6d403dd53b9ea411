import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { claudeSessionConfig, tempDir } from './agent-env.js';
import { Device } from './device.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { ServerProcess } from './server-process.js';

describe(
  'claude: the server is killed mid-conversation and restarted',
  { timeout: 180_000 },
  () => {
    const cleanup: Array<() => Promise<void> | void> = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    it('resumes the same conversation, with its history, on the next message', async () => {
      const api = await new FakeAnthropic().start();
      cleanup.push(() => api.close());
      const dataDir = tempDir('restart');
      const first = await ServerProcess.start(dataDir);
      cleanup.push(() => first.stop());
      const desk = await Device.connect(first.url, first.ownerToken, 'desk', 'tab');
      const { session } = await desk.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'claude',
        config: claudeSessionConfig(api, tempDir('restart-agent')),
      });
      await desk.subscribe(session.id);
      api.script(
        { kind: 'text', text: 'Noted: the password is banana.' },
        {
          kind: 'text',
          text: 'this answer never finishes because the server dies',
          chunks: 30,
          delayMs: 200,
        },
        { kind: 'text', text: 'You told me banana.' },
      );
      await desk.say(session.id, 'r-1', 'remember the password banana');
      await desk.waitFor('turn 1', () => desk.turnsEnded() === 1);
      await desk.say(session.id, 'r-2', 'now say something long');
      await desk.waitFor('streaming of turn 2', () => desk.deltas.length >= 5);
      await first.kill9();
      desk.close();

      const second = await ServerProcess.start(dataDir);
      cleanup.push(() => second.stop());
      const phone = await Device.connect(second.url, second.ownerToken, 'phone', 'mobile');
      await phone.subscribe(session.id);
      await phone.waitFor('the stored history', () => phone.ofType('agent.text').length === 1);
      await phone.say(session.id, 'r-3', 'what was the password?');
      await phone.waitFor('the resumed turn', () =>
        phone
          .ofType('agent.turn.ended')
          .some(
            (e) => e.data.outcome === 'completed' && phone.ofType('agent.turn.ended').length >= 3,
          ),
      );
      const ended = phone.ofType('agent.turn.ended');
      assert.deepEqual(
        ended.map((e) => e.data.outcome),
        ['completed', 'failed', 'completed'],
      );
      assert.match(ended[1]!.data.error ?? '', /process ended during this turn/);
      assert.equal(phone.ofType('agent.text').at(-1)!.data.text, 'You told me banana.');
      // The same Claude session was resumed: one binding, and the model saw the old history.
      assert.equal(phone.ofType('agent.bound').length, 1);
      const lastCall = JSON.stringify((api.modelCalls().at(-1) as { messages: unknown }).messages);
      assert.match(lastCall, /remember the password banana/);
      assert.match(lastCall, /Noted: the password is banana/);
      assert.match(lastCall, /what was the password/);
      phone.close();
    });
  },
);
