import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IMPORTED_DEVICE_ID } from '@baton/protocol';
import { codexHistory } from './codex-history.js';

/** Turns as `thread/turns/list` returns them with full items (trimmed to what baton reads). */
const turns = [
  {
    id: 'turn_1',
    status: 'completed',
    items: [
      {
        type: 'userMessage',
        id: 'item_1',
        content: [
          { type: 'text', text: 'fix the build', text_elements: [] },
          { type: 'localImage', path: '/tmp/screen.png' },
        ],
      },
      { type: 'reasoning', id: 'item_2', summary: ['look at the makefile'], content: [] },
      {
        type: 'commandExecution',
        id: 'item_3',
        command: 'make',
        cwd: '/work/app',
        status: 'completed',
        aggregatedOutput: null,
        exitCode: 0,
      },
      { type: 'agentMessage', id: 'item_4', text: 'Fixed.' },
    ],
  },
  {
    id: 'turn_2',
    status: 'completed',
    items: [
      { type: 'userMessage', id: 'item_1', content: [{ type: 'text', text: 'thanks' }] },
      { type: 'agentMessage', id: 'item_2', text: 'Welcome.' },
      { type: 'agentMessage', id: 'item_3', text: '' },
      { type: 'somethingNew', id: 'item_4' },
      'not an item',
    ],
  },
];

test('a thread becomes imported inputs, thinking, tool calls with results and texts, in order', () => {
  const events = codexHistory(turns);
  assert.deepEqual(
    events.map((e) => e.type),
    [
      'input',
      'input.delivered',
      'agent.thinking',
      'agent.tool.call',
      'agent.tool.result',
      'agent.text',
      'input',
      'input.delivered',
      'agent.text',
    ],
  );
  assert.deepEqual(events[0]!.data, {
    inputId: 'imported-1',
    deviceId: IMPORTED_DEVICE_ID,
    payload: { kind: 'message', text: 'fix the build\n[image /tmp/screen.png]' },
    imported: true,
  });
  assert.deepEqual(events[2]!.data, {
    messageId: 'imported-turn_1-item_2',
    text: 'look at the makefile',
    imported: true,
  });
  assert.deepEqual(events[3]!.data, {
    toolCallId: 'imported-turn_1-item_3',
    name: 'command',
    input: { command: 'make', cwd: '/work/app' },
    imported: true,
  });
  assert.deepEqual(events[4]!.data, {
    toolCallId: 'imported-turn_1-item_3',
    output: '',
    isError: false,
    imported: true,
  });
  assert.deepEqual(events[5]!.data, {
    messageId: 'imported-turn_1-item_4',
    text: 'Fixed.',
    imported: true,
  });
  // Item ids may repeat across turns; the turn's id keeps them apart. Empty texts are left out.
  assert.equal((events[6]!.data as { inputId: string }).inputId, 'imported-2');
  assert.deepEqual(events[8]!.data, {
    messageId: 'imported-turn_2-item_2',
    text: 'Welcome.',
    imported: true,
  });
});

test('no turns, or turns of no known shape, import nothing', () => {
  assert.deepEqual(codexHistory([]), []);
  assert.deepEqual(codexHistory([null, 'x', { items: 'x' }]), []);
});

test('a long thread keeps the newest 4,000 events, never a delivery without its input', () => {
  const many = Array.from({ length: 2_500 }, (_, i) => ({
    id: `turn_${i}`,
    items: [
      { type: 'userMessage', id: 'u', content: [{ type: 'text', text: `question ${i}` }] },
      { type: 'agentMessage', id: 'a', text: `answer ${i}` },
    ],
  }));
  const events = codexHistory(many);
  assert.ok(events.length <= 4_000 && events.length >= 3_999, String(events.length));
  assert.notEqual(events[0]!.type, 'input.delivered');
  assert.deepEqual(events.at(-1)!.data, {
    messageId: 'imported-turn_2499-a',
    text: 'answer 2499',
    imported: true,
  });
});
