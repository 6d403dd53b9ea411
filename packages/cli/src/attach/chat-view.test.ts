import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { LogEvent, NewLogEvent } from '@baton/protocol';
import { chatStyle } from './chat-format.js';
import { ChatScreen } from './chat-screen.js';
import { ChatView } from './chat-view.js';

/** A chat view writing plain text (no terminal) into a string. */
function plainView(options: { historyHead?: number; readOnly?: boolean; mine?: string[] } = {}) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const style = chatStyle(false);
  const screen = new ChatScreen(out, false, style);
  const mine = new Set(options.mine ?? []);
  const view = new ChatView({
    screen,
    style,
    readOnly: options.readOnly ?? false,
    mine: (id) => mine.has(id),
    name: (id) => ({ d1: 'desk', d2: 'phone' })[id] ?? id,
    historyHead: options.historyHead ?? 0,
  });
  let seq = 0;
  const event = (e: NewLogEvent): LogEvent => ({ ...e, seq: ++seq, ts: 0 }) as LogEvent;
  const stream = (messageId: string, delta: string, channel: 'text' | 'thinking' = 'text') =>
    view.stream({ type: 'stream', sessionId: 's_x', messageId, channel, delta });
  return { view, event, stream, text: () => text };
}

const say = (inputId: string, deviceId: string, text: string): NewLogEvent => ({
  type: 'input',
  data: { inputId, deviceId, payload: { kind: 'message', text } },
});

describe('ChatView', () => {
  it('streams text live and completes it with the final text without repeating it', () => {
    const { view, event, stream, text } = plainView({ mine: ['i1'] });
    view.apply(event(say('i1', 'd1', 'hi')));
    view.apply(event({ type: 'agent.turn.started', data: { turnId: 't1', inputIds: ['i1'] } }));
    stream('m1', 'Hel');
    stream('m1', 'lo, ');
    assert.match(text(), /assistant: Hello, $/);
    view.apply(event({ type: 'agent.text', data: { messageId: 'm1', text: 'Hello, world.' } }));
    stream('m1', 'late fragment');
    view.apply(
      event({
        type: 'agent.turn.ended',
        data: { turnId: 't1', outcome: 'completed', costUsd: 0.01 },
      }),
    );
    assert.equal(text(), 'you: hi [sent]\nassistant: Hello, world.\n── turn completed · $0.0100\n');
  });

  it('continues a stream cut by another line, and prints an unstreamed final text whole', () => {
    const { view, event, stream, text } = plainView();
    view.apply(event({ type: 'agent.turn.started', data: { turnId: 't1', inputIds: [] } }));
    stream('m1', 'first half', 'thinking');
    view.apply(event(say('i9', 'd2', 'meanwhile')));
    view.apply(
      event({ type: 'agent.thinking', data: { messageId: 'm1', text: 'first half, second half' } }),
    );
    view.apply(event({ type: 'agent.text', data: { messageId: 'm2', text: 'never streamed' } }));
    assert.equal(
      text(),
      'thinking: first half\n' +
        'phone: meanwhile [queued: a turn is running]\n' +
        'thinking (cont.): , second half\n' +
        'assistant: never streamed\n',
    );
  });

  it('renders each event once however it arrives, and tracks waiting permission requests', () => {
    const { view, event, text } = plainView({ historyHead: 3 });
    const history = [
      event(say('i1', 'd1', 'list files')),
      event({ type: 'agent.turn.started', data: { turnId: 't1', inputIds: ['i1'] } }),
      event({
        type: 'agent.permission.requested',
        data: { requestId: 'r1', toolName: 'Bash', input: { command: 'ls' } },
      }),
    ];
    view.applySnapshot(3, history);
    view.apply(history[2]!);
    assert.deepEqual(
      view.waiting().map((r) => r.data.requestId),
      ['r1'],
    );
    assert.equal(text().split('? permission').length - 1, 1, 'the request is printed once');
    assert.match(text(), /\? waiting for an answer \[r1\]: Bash ls\n {2}answer with \/allow/);
    view.apply(
      event({
        type: 'agent.permission.resolved',
        data: { requestId: 'r1', deviceId: 'd2', resolution: { decision: 'deny', message: 'no' } },
      }),
    );
    assert.deepEqual(view.waiting(), []);
    assert.match(text(), /✗ denied by phone: no \[r1\]\n$/);
  });

  it('a withdrawn queued message leaves the queue, and the view says who withdrew it', () => {
    const { view, event, text } = plainView({ mine: ['i1', 'i2'] });
    view.apply(event({ type: 'agent.turn.started', data: { turnId: 't1', inputIds: [] } }));
    view.apply(event(say('i1', 'd1', 'keep this')));
    view.apply(event(say('i2', 'd1', 'drop this')));
    assert.deepEqual(view.queuedInputs(), ['i1', 'i2']);
    view.apply(event({ type: 'input.withdrawn', data: { inputId: 'i2', deviceId: 'd1' } }));
    assert.deepEqual(view.queuedInputs(), ['i1']);
    assert.match(text(), /── desk withdrew the queued "drop this"\n$/);
  });

  it('shows a plan and questions in full with how to answer, and who answered them', () => {
    const { view, event, text } = plainView();
    view.apply(
      event({
        type: 'agent.permission.requested',
        data: { requestId: 'r1', toolName: 'ExitPlanMode', input: { plan: '# Plan\n1. do it' } },
      }),
    );
    view.apply(
      event({
        type: 'agent.permission.resolved',
        data: {
          requestId: 'r1',
          resolution: { decision: 'deny', message: 'smaller' },
          deviceId: 'd2',
        },
      }),
    );
    view.apply(
      event({
        type: 'agent.permission.requested',
        data: {
          requestId: 'r2',
          toolName: 'AskUserQuestion',
          input: {
            questions: [
              {
                question: 'Which database?',
                header: 'DB',
                multiSelect: false,
                options: [{ label: 'SQLite', description: 'a file' }, { label: 'PostgreSQL' }],
              },
            ],
          },
        },
      }),
    );
    view.apply(
      event({
        type: 'agent.permission.resolved',
        data: {
          requestId: 'r2',
          resolution: { decision: 'allow', answers: { 'Which database?': 'PostgreSQL' } },
          deviceId: 'd1',
        },
      }),
    );
    assert.equal(
      text(),
      [
        '? plan [r1]: the agent asks to carry out this plan',
        '  # Plan',
        '  1. do it',
        '  approve with /allow (or y), or send it back with /deny [what to change] (or n)',
        '✗ plan sent back by phone: smaller [r1]',
        '? question [r2]',
        '  Which database? (DB)',
        '     1. SQLite — a file',
        '     2. PostgreSQL',
        '  answer with /answer 2 (option numbers, 1,3 for several, or your own words); /deny declines',
        '✓ answered by desk [r2]',
        '  Which database? → PostgreSQL',
        '',
      ].join('\n'),
    );
  });

  it("shows an edit's change under its call, and the session's total from the second turn", () => {
    const { view, event, text } = plainView();
    view.apply(
      event({
        type: 'agent.tool.call',
        data: {
          toolCallId: 'c1',
          name: 'Edit',
          input: { file_path: '/a.ts', old_string: 'let x = 1;', new_string: 'const x = 1;' },
        },
      }),
    );
    for (const turnId of ['t1', 't2'])
      view.apply(
        event({
          type: 'agent.turn.ended',
          data: {
            turnId,
            outcome: 'completed',
            tokens: { input: 10, output: 2, cacheRead: 5 },
            costUsd: 0.5,
            costEstimated: true,
          },
        }),
      );
    assert.equal(
      text(),
      [
        '⚙ Edit /a.ts',
        '    - let x = 1;',
        '    + const x = 1;',
        '── turn completed · ≈$0.5000 · 15 in / 2 out tokens',
        '── turn completed · ≈$0.5000 · 15 in / 2 out tokens · session ≈$1.0000',
        '',
      ].join('\n'),
    );
  });
});
