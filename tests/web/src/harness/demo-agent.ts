import type { PermissionDecision } from '@baton/protocol';
import type { RunnerFactory } from '@baton/server';

/** The reply's Markdown: a heading, a list, inline code and a highlighted code block. */
export const DEMO_REPLY = [
  '## Plan',
  '',
  'The greeting ignores the **name** it is given. I will:',
  '',
  '1. use `name` in `greet()`,',
  '2. run the tests.',
  '',
  '```ts',
  'export function greet(name: string): string {',
  '  return `Hello, ${name}!`;',
  '}',
  '```',
].join('\n');

/** The command the demo agent asks permission to run, left waiting: the session "needs you". */
export const DEMO_COMMAND = 'npm test -- greet';

/**
 * A scripted agent for screens that must look like a real conversation (the accessibility test,
 * the screenshots): each message gets a Markdown reply with a code block, an Edit tool card
 * with its diff, and a Bash call whose permission prompt stays open until someone answers it.
 * Everything after the runner (log, projection, attention, the web app) is the real server's.
 */
export function demoAgentFactory(): RunnerFactory {
  return {
    kind: 'claude',
    create: (ctx) => {
      let turn = 0;
      const waiting = new Map<string, string>();
      return {
        start: async () => {
          await ctx.setStatus('idle');
        },
        input: async (event) => {
          const n = ++turn;
          const turnId = `t${n}`;
          waiting.set(`p${n}`, turnId);
          await ctx.setStatus('running');
          await ctx.emit([
            { type: 'agent.turn.started', data: { turnId, inputIds: [event.data.inputId] } },
            { type: 'agent.text', data: { messageId: `m${n}a`, text: DEMO_REPLY } },
            {
              type: 'agent.tool.call',
              data: {
                toolCallId: `e${n}`,
                name: 'Edit',
                input: {
                  file_path: 'src/greet.ts',
                  old_string: "  return 'Hello!';",
                  new_string: '  return `Hello, ${name}!`;',
                },
              },
            },
            {
              type: 'agent.tool.result',
              data: { toolCallId: `e${n}`, output: 'The file was updated.', isError: false },
            },
            { type: 'agent.text', data: { messageId: `m${n}b`, text: 'Now the tests:' } },
            {
              type: 'agent.tool.call',
              data: { toolCallId: `b${n}`, name: 'Bash', input: { command: DEMO_COMMAND } },
            },
            {
              type: 'agent.permission.requested',
              data: {
                requestId: `p${n}`,
                toolName: 'Bash',
                input: { command: DEMO_COMMAND },
                toolCallId: `b${n}`,
                description: 'Run the greet tests',
              },
            },
          ]);
        },
        answerPermission: async (requestId: string, answer: PermissionDecision, deviceId) => {
          const turnId = waiting.get(requestId);
          if (!turnId) return;
          waiting.delete(requestId);
          await ctx.emit([
            {
              type: 'agent.permission.resolved',
              data: { requestId, resolution: answer, deviceId },
            },
            { type: 'agent.turn.ended', data: { turnId, outcome: 'completed' } },
          ]);
          await ctx.setStatus('idle');
        },
        interrupt: async () => {},
        resize: () => {},
        stop: async () => {},
      };
    },
  };
}
