import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { claudeSessionConfig, codexSessionConfig, tempDir } from './agent-env.js';
import { Device } from './device.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { alive, startTimeOf, type Proc } from './proc.js';
import { FakeOpenAi } from './fake-openai.js';
import { ServerProcess } from './server-process.js';

/** The agent processes baton recorded in its data directory (children.json). */
function recordedChildren(dataDir: string): Proc[] {
  const file = JSON.parse(readFileSync(join(dataDir, 'children.json'), 'utf8')) as {
    children: Proc[];
  };
  return file.children.map((c) => ({ pid: c.pid, startTime: c.startTime }));
}

/** Live processes whose command line names this Claude conversation. */
function conversationProcesses(agentSessionId: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(agentSessionId) && startTimeOf(Number(name)) !== undefined)
        pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

describe('claude: the server is killed -9 mid-turn', { timeout: 240_000 }, () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  const leftovers: Proc[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
    for (const p of leftovers) if (alive(p)) process.kill(p.pid, 'SIGKILL');
  });

  it('the next start settles the session before anyone sends anything', async () => {
    const api = await new FakeAnthropic().start();
    cleanup.push(() => api.close());
    const dataDir = tempDir('settle');
    const first = await ServerProcess.start(dataDir);
    cleanup.push(() => first.stop());
    const desk = await Device.connect(first.url, first.ownerToken, 'desk', 'tab');
    const root = tempDir('settle-agent');
    const { session } = await desk.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'claude',
      config: claudeSessionConfig(api, root),
    });
    await desk.subscribe(session.id);
    api.script(
      {
        kind: 'tool',
        name: 'Bash',
        input: { command: `touch ${join(root, 'work', 'made')}`, description: 'create a file' },
      },
      { kind: 'text', text: 'the queued message is answered' },
    );
    await desk.say(session.id, 's-1', 'run a command');
    await desk.waitFor(
      'the permission prompt',
      () => desk.ofType('agent.permission.requested').length === 1,
    );
    // Queued behind the open turn: stored, never delivered before the crash.
    await desk.say(session.id, 's-2', 'and then answer this');
    const [claude] = recordedChildren(dataDir);
    assert.ok(claude, 'the claude process is recorded');
    leftovers.push(claude);
    await first.kill9();
    desk.close();

    const second = await ServerProcess.start(dataDir);
    cleanup.push(() => second.stop());
    assert.equal(alive(claude), false, 'the old claude process was ended before serving');
    const phone = await Device.connect(second.url, second.ownerToken, 'phone', 'mobile');
    await phone.subscribe(session.id);
    // The phone sends nothing: the settle is already in the log, and the queued message runs.
    await phone.waitFor('the crashed turn to end', () =>
      phone.ofType('agent.turn.ended').some((e) => e.data.outcome === 'failed'),
    );
    const failed = phone.ofType('agent.turn.ended')[0]!;
    assert.equal(failed.data.outcome, 'failed');
    assert.match(failed.data.error ?? '', /server restarted/);
    const request = phone.ofType('agent.permission.requested')[0]!;
    const resolved = phone
      .ofType('agent.permission.resolved')
      .find((e) => e.data.requestId === request.data.requestId);
    assert.ok(resolved, 'the open prompt is resolved');
    assert.equal(resolved.data.resolution.decision, 'deny');
    assert.match((resolved.data.resolution as { message?: string }).message ?? '', /^expired: /);
    await phone.waitFor('the queued message to be answered', () =>
      phone.ofType('agent.turn.ended').some((e) => e.data.outcome === 'completed'),
    );
    const started = phone.ofType('agent.turn.started');
    assert.deepEqual(started.at(-1)!.data.inputIds, ['s-2']);
    const lastCall = JSON.stringify(api.modelCalls().at(-1));
    assert.match(lastCall, /and then answer this/, 'the model was asked the queued message');
    // One process for the conversation: the resumed one.
    const bound = phone.ofType('agent.bound')[0]!.data.agentSessionId;
    assert.equal(conversationProcesses(bound).length, 1);
    phone.close();
  });

  it('a claude process still streaming is ended; the resumed conversation is its only process', async () => {
    const api = await new FakeAnthropic().start();
    cleanup.push(() => api.close());
    const dataDir = tempDir('orphan');
    const first = await ServerProcess.start(dataDir);
    cleanup.push(() => first.stop());
    const desk = await Device.connect(first.url, first.ownerToken, 'desk', 'tab');
    const { session } = await desk.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'claude',
      config: claudeSessionConfig(api, tempDir('orphan-agent')),
    });
    await desk.subscribe(session.id);
    // A stream that takes a minute: the model is still answering when the server dies.
    api.script(
      { kind: 'text', text: 'this answer goes on and on '.repeat(20), chunks: 300, delayMs: 200 },
      { kind: 'text', text: 'resumed' },
    );
    await desk.say(session.id, 'o-1', 'say something long');
    await desk.waitFor('streaming', () => desk.deltas.length >= 3);
    const bound = desk.ofType('agent.bound')[0]!.data.agentSessionId;
    const [claude] = recordedChildren(dataDir);
    assert.ok(claude);
    leftovers.push(claude);
    await first.kill9();
    desk.close();
    // Without baton the process goes on: it was re-parented and still talks to the API.
    assert.equal(alive(claude), true, 'the orphan outlived the server');

    const second = await ServerProcess.start(dataDir);
    cleanup.push(() => second.stop());
    assert.equal(alive(claude), false, 'the orphan was ended before serving');
    const phone = await Device.connect(second.url, second.ownerToken, 'phone', 'mobile');
    await phone.subscribe(session.id);
    await phone.say(session.id, 'o-2', 'go on');
    await phone.waitFor('the resumed turn', () =>
      phone.ofType('agent.turn.ended').some((e) => e.data.outcome === 'completed'),
    );
    assert.equal(conversationProcesses(bound).length, 1, 'one process for the conversation');
    phone.close();
  });

  it('codex: after kill -9 mid-stream the resumed thread runs in one app-server', async () => {
    const api = await new FakeOpenAi().start();
    cleanup.push(() => api.close());
    const dataDir = tempDir('codex-orphan');
    const first = await ServerProcess.start(dataDir);
    cleanup.push(() => first.stop());
    const desk = await Device.connect(first.url, first.ownerToken, 'desk', 'tab');
    const { session } = await desk.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'codex',
      config: codexSessionConfig(api, tempDir('codex-orphan-agent')),
    });
    await desk.subscribe(session.id);
    api.script(
      { kind: 'text', text: 'this answer goes on and on '.repeat(20), chunks: 300, delayMs: 200 },
      { kind: 'text', text: 'resumed' },
    );
    await desk.say(session.id, 'co-1', 'say something long');
    await desk.waitFor('streaming', () => desk.deltas.length >= 3);
    const [codex] = recordedChildren(dataDir);
    assert.ok(codex);
    leftovers.push(codex);
    await first.kill9();
    desk.close();
    // The app-server may still be running now; this Codex version ends by itself a little after its
    // stdin closed, so unlike the Claude case above this does not depend on the reaping alone.

    const second = await ServerProcess.start(dataDir);
    cleanup.push(() => second.stop());
    assert.equal(alive(codex), false, 'no app-server of the old server is left');
    const phone = await Device.connect(second.url, second.ownerToken, 'phone', 'mobile');
    await phone.subscribe(session.id);
    await phone.say(session.id, 'co-2', 'go on');
    await phone.waitFor('the resumed turn', () =>
      phone.ofType('agent.turn.ended').some((e) => e.data.outcome === 'completed'),
    );
    const now = recordedChildren(dataDir);
    assert.equal(now.length, 1, 'one app-server for the conversation');
    assert.notEqual(now[0]!.pid, codex.pid);
    phone.close();
  });
});
