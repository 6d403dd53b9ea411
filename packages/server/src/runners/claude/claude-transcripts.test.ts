import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { claudeHistory } from './claude-history.js';
import { findClaudeTranscript, listClaudeConversations } from './claude-transcripts.js';

const root = mkdtempSync(join(tmpdir(), 'baton-claude-transcripts-'));
after(() => rmSync(root, { recursive: true, force: true }));
const projects = join(root, 'projects');
const project = join(projects, '-work-app');
mkdirSync(project, { recursive: true });
const line = (o: unknown) => JSON.stringify(o) + '\n';
const user = (uuid: string, content: unknown, extra: object = {}) =>
  line({ type: 'user', uuid, cwd: '/work/app', message: { role: 'user', content }, ...extra });
const assistant = (uuid: string, id: string, content: unknown[]) =>
  line({ type: 'assistant', uuid, cwd: '/work/app', message: { id, role: 'assistant', content } });

writeFileSync(
  join(project, 'good.jsonl'),
  user('u1', 'fix the build') +
    '{"type":"user","message":{"content":"cut\n' +
    'plain garbage\n' +
    user('m1', 'caveat', { isMeta: true }) +
    assistant('a1', 'msg_1', [{ type: 'thinking', thinking: 'look first' }]) +
    assistant('a2', 'msg_1', [
      { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'make' } },
    ]) +
    user('u2', [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok', is_error: false }]) +
    assistant('a3', 'msg_2', [{ type: 'text', text: 'Fixed.' }]) +
    line({
      type: 'assistant',
      isSidechain: true,
      message: { content: [{ type: 'text', text: 'sub' }] },
    }),
);
writeFileSync(join(project, 'empty.jsonl'), 'nothing here\n');
writeFileSync(join(project, 'not-a-transcript.txt'), user('x', 'hi'));
const locked = join(project, 'locked.jsonl');
writeFileSync(locked, user('u', 'secret'));
chmodSync(locked, 0o000);

test('lists readable conversations with their title, cwd and message count; skips the rest', async () => {
  const list = await listClaudeConversations(projects, 100);
  const good = list.find((c) => c.id === 'good');
  assert.deepEqual(good && { ...good, lastActivityAt: 0 }, {
    kind: 'claude',
    id: 'good',
    cwd: '/work/app',
    title: 'fix the build',
    lastActivityAt: 0,
    messageCount: 3,
  });
  assert.ok(!list.some((c) => c.id === 'empty' || c.id === 'not-a-transcript'));
  // Root reads any file; anyone else gets the locked one left out, never an error.
  if (process.getuid?.() !== 0) assert.ok(!list.some((c) => c.id === 'locked'));
});

test('a missing folder lists nothing; an unknown or path-like id is not found', async () => {
  assert.deepEqual(await listClaudeConversations(join(root, 'nowhere'), 10), []);
  assert.equal(await findClaudeTranscript(projects, 'nope'), undefined);
  assert.equal(await findClaudeTranscript(projects, '../-work-app/good'), undefined);
  assert.deepEqual(await findClaudeTranscript(projects, 'good'), {
    path: join(project, 'good.jsonl'),
    cwd: '/work/app',
  });
});

test('the history becomes imported events in order, without meta, subagent or broken lines', async () => {
  const events = await claudeHistory(join(project, 'good.jsonl'));
  assert.deepEqual(
    events.map((e) => [e.type, (e.data as { imported?: boolean }).imported]),
    [
      ['input', true],
      ['input.delivered', undefined],
      ['agent.thinking', true],
      ['agent.tool.call', true],
      ['agent.tool.result', true],
      ['agent.text', true],
    ],
  );
  assert.deepEqual(events[0]!.data, {
    inputId: 'imported-1',
    deviceId: 'imported',
    payload: { kind: 'message', text: 'fix the build' },
    imported: true,
  });
  assert.deepEqual(events[3]!.data, {
    toolCallId: 'toolu_1',
    name: 'Bash',
    input: { command: 'make' },
    imported: true,
  });
});
