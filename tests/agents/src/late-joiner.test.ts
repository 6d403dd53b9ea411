import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { LogEvent } from '@baton/protocol';
import { BatonFixture, createSession } from './baton-fixture.js';
import { claudeSessionConfig, tempDir } from './agent-env.js';
import { ChatProcess } from './chat-process.js';
import type { Device } from './device.js';
import { FakeAnthropic } from './fake-anthropic.js';

type Requested = Extract<LogEvent, { type: 'agent.permission.requested' }>;

/**
 * Starts a claude turn whose tool call needs permission and waits until `device` sees the
 * request outstanding. Returns the request.
 */
async function outstandingRequest(
  device: Device,
  sessionId: string,
  api: FakeAnthropic,
  cwd: string,
): Promise<Requested> {
  api.script(
    {
      kind: 'tool',
      name: 'Bash',
      input: { command: `touch ${join(cwd, 'late.txt')}`, description: 'make a file' },
    },
    { kind: 'text', text: 'Done after the late answer.' },
  );
  await device.subscribe(sessionId);
  await device.say(sessionId, 'late-1', 'make the file please');
  await device.waitFor(
    'the request',
    () => device.ofType('agent.permission.requested').length === 1,
  );
  return device.ofType('agent.permission.requested')[0]!;
}

describe('a permission prompt outstanding when a device connects', { timeout: 180_000 }, () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('is in the replayed log, and the chat view of a late `baton attach` answers it', async () => {
    const api = await new FakeAnthropic().start();
    cleanup.push(() => api.close());
    const baton = await BatonFixture.start();
    cleanup.push(() => baton.close());
    const desk = await baton.device('desk');
    const config = claudeSessionConfig(api, tempDir('late-replay'));
    const session = await createSession(desk, 'claude', config);
    const request = await outstandingRequest(desk, session.id, api, String(config.cwd));

    const phone = await baton.device('phone', 'mobile');
    await phone.subscribe(session.id);
    await phone.waitFor('the replayed request', () =>
      phone
        .ofType('agent.permission.requested')
        .some((e) => e.data.requestId === request.data.requestId),
    );
    assert.equal(phone.snapshots.length, 0, 'replayed from the log, no snapshot needed');
    assert.equal(phone.ofType('agent.permission.resolved').length, 0);

    const chat = ChatProcess.start(baton.server.url, baton.server.ownerToken, session.id);
    cleanup.push(() => chat.kill());
    await chat.waitFor(
      'the outstanding prompt',
      new RegExp(
        `\\? waiting for an answer \\[${request.data.requestId}\\]: Bash touch .*late\\.txt`,
      ),
    );
    await chat.waitFor('how to answer', /answer with \/allow or \/deny \[message\] \(or y \/ n\)/);
    chat.type('y');
    await chat.waitFor('the resolution', /✓ allowed by owner/);
    await chat.waitFor(
      'the end of the turn',
      /assistant: Done after the late answer\.\n── turn completed/,
    );
    for (const d of [desk, phone]) {
      await d.waitFor('the resolution', () => d.ofType('agent.permission.resolved').length === 1);
      assert.deepEqual(d.ofType('agent.permission.resolved')[0]!.data.resolution, {
        decision: 'allow',
      });
    }
    assert.equal(await chat.detach(), 0);
  });

  it('reaches a late joiner inside an agent snapshot after retention compacted the log', async () => {
    const api = await new FakeAnthropic().start();
    cleanup.push(() => api.close());
    // Retention of 2 events: the log is compacted as the conversation goes.
    const baton = await BatonFixture.start({ retentionEvents: 2 });
    cleanup.push(() => baton.close());
    const desk = await baton.device('desk');
    const config = claudeSessionConfig(api, tempDir('late-snapshot'));
    const session = await createSession(desk, 'claude', config);
    const request = await outstandingRequest(desk, session.id, api, String(config.cwd));

    const phone = await baton.device('phone', 'mobile');
    await phone.subscribe(session.id);
    await phone.waitFor('a snapshot', () => phone.snapshots.length === 1);
    const snapshot = phone.snapshots[0]!;
    assert.equal(snapshot.reason, 'retention');
    const state = snapshot.state as { runner: { kind: string; events: LogEvent[] } };
    assert.equal(state.runner.kind, 'agent');
    const inSnapshot = state.runner.events.filter(
      (e): e is Requested => e.type === 'agent.permission.requested',
    );
    assert.deepEqual(
      inSnapshot.map((e) => e.data.requestId),
      [request.data.requestId],
    );
    assert.equal(
      state.runner.events.filter((e) => e.type === 'agent.permission.resolved').length,
      0,
      'still outstanding',
    );
    // The user's message is in it too, exactly as typed.
    const input = state.runner.events.find((e) => e.type === 'input');
    assert.deepEqual(input?.data.payload, { kind: 'message', text: 'make the file please' });

    // The chat view shows the prompt from the snapshot; the phone answers it.
    const chat = ChatProcess.start(
      baton.server.url,
      baton.server.ownerToken,
      session.id,
      '--read-only',
    );
    cleanup.push(() => chat.kill());
    await chat.waitFor('the history from the snapshot', /^desk: make the file please$/m);
    await chat.waitFor(
      'the outstanding prompt',
      new RegExp(
        `\\? waiting for an answer \\[${request.data.requestId}\\]: Bash touch .*late\\.txt`,
      ),
    );
    await chat.waitFor('the read-only note', /read-only: a device that may write has to answer it/);
    await phone.request({
      type: 'permission.answer',
      sessionId: session.id,
      requestId: request.data.requestId,
      answer: { decision: 'deny', message: 'not today' },
    });
    await phone.waitFor(
      'the resolution, live after the snapshot',
      () => phone.ofType('agent.permission.resolved').length === 1,
    );
    assert.ok(phone.ofType('agent.permission.resolved')[0]!.seq > snapshot.seq);
    await chat.waitFor('the denial', /✗ denied by phone: not today/);
    await chat.waitFor('the end of the turn', /── turn completed/);
    assert.equal(await chat.detach(), 0);
  });
});
