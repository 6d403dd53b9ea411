import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { BatonFixture, createSession } from './baton-fixture.js';
import { CLAUDE_BIN, claudeSessionConfig, tempDir } from './agent-env.js';
import { countingBinary } from './counting-binary.js';
import { FakeAnthropic } from './fake-anthropic.js';

const CHUNKS = 40;

/** How many processes have `dir` as their working directory (from /proc). */
function processesIn(dir: string): number {
  let count = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) === dir) count += 1;
    } catch {
      // The process ended, or is not ours to inspect.
    }
  }
  return count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Milliseconds from the fake API writing each delta to Claude Code printing it on stdout. */
async function directCliDelays(api: FakeAnthropic, text: string): Promise<number[]> {
  const config = claudeSessionConfig(api, tempDir('latency-direct'));
  const child = spawn(
    CLAUDE_BIN,
    [
      '-p',
      '--input-format',
      'stream-json',
      '--output-format',
      'stream-json',
      '--verbose',
      '--include-partial-messages',
    ],
    {
      cwd: String(config.cwd),
      env: { ...process.env, ...(config.env as Record<string, string>) },
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  const delays: number[] = [];
  const done = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const at = performance.now();
      const m = JSON.parse(line) as { type: string; event?: { delta?: { text?: string } } };
      const delta = m.event?.delta?.text;
      const sent = delta === undefined ? undefined : api.deltaSentAt.get(delta);
      if (sent !== undefined) delays.push(at - sent);
      if (m.type === 'result') resolve();
    });
  });
  child.stdin.write(
    JSON.stringify({ type: 'user', message: { role: 'user', content: 'go' } }) + '\n',
  );
  await done;
  child.stdin.end();
  child.kill();
  assert.ok(text.length > 0);
  return delays;
}

describe('claude: latency and idle processes', { timeout: 180_000 }, () => {
  let baton: BatonFixture;
  const apis: FakeAnthropic[] = [];
  before(async () => {
    baton = await BatonFixture.start({ idleStopMs: 1_000 });
  });
  after(async () => {
    await baton.close();
    for (const api of apis) await api.close();
  });

  it('measures the latency baton adds between the agent and the devices', async (t) => {
    const api = await new FakeAnthropic().start();
    apis.push(api);
    const text = Array.from({ length: CHUNKS }, (_, i) => `w${String(i).padStart(3, '0')} `).join(
      '',
    );
    api.script({ kind: 'text', text, chunks: CHUNKS, delayMs: 20 });
    const direct = await directCliDelays(api, text);

    const a = await baton.device('desk');
    const b = await baton.device('phone', 'mobile');
    const session = await createSession(a, 'claude', claudeSessionConfig(api, tempDir('latency')));
    await a.subscribe(session.id);
    await b.subscribe(session.id);
    const text2 = text.replace(/w/g, 'v');
    api.script({ kind: 'text', text: text2, chunks: CHUNKS, delayMs: 20 });
    await a.say(session.id, 'l-1', 'go');
    for (const d of [a, b]) await d.waitFor('the turn', () => d.turnsEnded() === 1);
    const viaBaton = b.deltas
      .map((d) => ({ d, sent: api.deltaSentAt.get(d.delta) }))
      .filter((x) => x.sent !== undefined)
      .map((x) => x.d.at - x.sent!);
    assert.ok(direct.length >= CHUNKS / 2 && viaBaton.length >= CHUNKS / 2);
    const added = median(viaBaton) - median(direct);
    t.diagnostic(
      `model API -> claude stdout: median ${median(direct).toFixed(2)} ms; ` +
        `model API -> device via baton: median ${median(viaBaton).toFixed(2)} ms, ` +
        `max ${Math.max(...viaBaton).toFixed(2)} ms; added by baton ≈ ${added.toFixed(2)} ms`,
    );
  });

  it('an idle process is stopped and the conversation resumes transparently on the next message', async () => {
    const api = await new FakeAnthropic().start();
    apis.push(api);
    const a = await baton.device('desk');
    const root = tempDir('idle');
    const agent = countingBinary(CLAUDE_BIN, root);
    const config: Record<string, unknown> = {
      ...claudeSessionConfig(api, root),
      binary: agent.path,
    };
    const session = await createSession(a, 'claude', config);
    await a.subscribe(session.id);
    api.script(
      { kind: 'text', text: 'first, before the idle stop' },
      { kind: 'text', text: 'second, resumed' },
    );
    await a.say(session.id, 'i-1', 'remember kiwi');
    await a.waitFor('turn 1', () => a.turnsEnded() === 1);
    assert.ok(
      processesIn(String(config.cwd)) > 0,
      'the agent process runs in the session directory',
    );
    // idleStopMs is 1 s here: wait until no process runs in the session's directory.
    await a.waitFor('the idle process to exit', () => processesIn(String(config.cwd)) === 0);
    await a.say(session.id, 'i-2', 'what did I say?');
    await a.waitFor('turn 2', () => a.turnsEnded() === 2);
    assert.deepEqual(
      a.ofType('agent.turn.ended').map((e) => e.data.outcome),
      ['completed', 'completed'],
    );
    assert.equal(a.ofType('agent.bound').length, 1, 'the same Claude session was resumed');
    assert.equal(agent.starts(), 2, 'the idle process was stopped and a new one resumed');
    const lastCall = JSON.stringify((api.modelCalls().at(-1) as { messages: unknown }).messages);
    assert.match(lastCall, /remember kiwi/);
    assert.match(lastCall, /first, before the idle stop/);
    const statuses = a.ofType('session.status').map((e) => e.data.status);
    assert.ok(!statuses.includes('failed'), `an idle stop is not a failure: ${statuses.join(',')}`);
  });
});
