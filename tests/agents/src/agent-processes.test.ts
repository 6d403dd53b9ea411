import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BatonFixture, createSession } from './baton-fixture.js';
import { claudeSessionConfig, tempDir } from './agent-env.js';
import type { Device } from './device.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { alive, startTimeOf, type Proc } from './proc.js';

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe(
  'claude: what a tool starts in the background ends with the agent',
  { timeout: 240_000 },
  () => {
    const apis: FakeAnthropic[] = [];
    const fixtures: BatonFixture[] = [];
    const leftovers: Proc[] = [];
    after(async () => {
      for (const f of fixtures) await f.close().catch(() => {});
      for (const a of apis) await a.close();
      for (const p of leftovers) if (alive(p)) process.kill(p.pid, 'SIGKILL');
    });

    /**
     * Has Claude's Bash tool start `sleep` in the background, detached from the tool's shell and
     * deaf to SIGHUP (as a dev server started with nohup is), and returns it once the turn ended.
     */
    async function startBackgroundProcess(
      baton: BatonFixture,
    ): Promise<{ device: Device; sessionId: string; sleeper: Proc }> {
      const api = await new FakeAnthropic().start();
      apis.push(api);
      const device = await baton.device('desk');
      const root = tempDir('bg');
      const pidFile = join(root, 'sleeper.pid');
      const session = await createSession(device, 'claude', claudeSessionConfig(api, root));
      await device.subscribe(session.id);
      api.script(
        {
          kind: 'tool',
          name: 'Bash',
          input: {
            command: `nohup sleep 1000 >/dev/null 2>&1 & echo $! > ${pidFile}`,
            description: 'start a long-lived process',
          },
        },
        { kind: 'text', text: 'It runs in the background.' },
      );
      await device.say(session.id, 'bg-1', 'start something that keeps running');
      await device.waitFor(
        'the prompt',
        () => device.ofType('agent.permission.requested').length === 1,
      );
      await device.request({
        type: 'permission.answer',
        sessionId: session.id,
        requestId: device.ofType('agent.permission.requested')[0]!.data.requestId,
        answer: { decision: 'allow' },
      });
      await device.waitFor('the turn to end', () => device.turnsEnded() === 1);
      await until(
        'the pid file',
        () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
      );
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      const startTime = startTimeOf(pid);
      assert.ok(startTime !== undefined, 'the background process runs after the turn');
      const sleeper = { pid, startTime };
      leftovers.push(sleeper);
      return { device, sessionId: session.id, sleeper };
    }

    it('an idle stop ends it', async () => {
      const baton = await BatonFixture.start({ idleStopMs: 1_000 });
      fixtures.push(baton);
      const { sleeper } = await startBackgroundProcess(baton);
      await until('the idle stop to end the background process', () => !alive(sleeper));
    });

    it('stopping the session ends it', async () => {
      const baton = await BatonFixture.start();
      fixtures.push(baton);
      const { device, sessionId, sleeper } = await startBackgroundProcess(baton);
      assert.equal(alive(sleeper), true);
      await device.request({ type: 'session.stop', sessionId });
      await until('the stop to end the background process', () => !alive(sleeper));
    });

    it('shutting the server down ends it', async () => {
      const baton = await BatonFixture.start();
      const { sleeper } = await startBackgroundProcess(baton);
      assert.equal(alive(sleeper), true);
      await baton.close();
      assert.equal(alive(sleeper), false, 'gone once the server has closed');
    });
  },
);
