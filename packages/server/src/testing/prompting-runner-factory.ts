import type { PermissionDecision, SessionKind } from '@baton/protocol';
import { RunnerError, type RunnerFactory } from '../runners/runner.js';

/**
 * An agent stand-in that asks for permission on every message: each input starts a turn and
 * stores an `agent.permission.requested` for a `Bash` tool call carrying `secretInput` (so a
 * test can check it never leaves the server in a notification); answering it ends the turn.
 * A session created with model `fail` fails to start. Everything after the runner — the log,
 * the commit, fan-out, notifications — is the real server.
 */
export function promptingRunnerFactory(
  kind: SessionKind = 'claude',
  secretInput = 'echo top-secret-value',
): RunnerFactory {
  return {
    kind,
    create: (ctx) => {
      let turn = 0;
      const waiting = new Map<string, string>();
      return {
        start: async () => {
          if (ctx.config.model === 'fail') throw new Error('the model refused to start');
          await ctx.setStatus('idle');
        },
        input: async (event) => {
          const turnId = `t${++turn}`;
          const requestId = `p${turn}`;
          waiting.set(requestId, turnId);
          await ctx.emit([
            { type: 'agent.turn.started', data: { turnId, inputIds: [event.data.inputId] } },
            {
              type: 'agent.permission.requested',
              data: { requestId, toolName: 'Bash', input: { command: secretInput } },
            },
          ]);
        },
        answerPermission: async (requestId: string, answer: PermissionDecision, deviceId) => {
          const turnId = waiting.get(requestId);
          if (!turnId) throw new RunnerError('already_resolved', `${requestId} was answered`);
          waiting.delete(requestId);
          await ctx.emit([
            {
              type: 'agent.permission.resolved',
              data: { requestId, resolution: answer, deviceId },
            },
            { type: 'agent.turn.ended', data: { turnId, outcome: 'completed' } },
          ]);
        },
        interrupt: async () => {},
        resize: () => {},
        stop: async () => {},
      };
    },
  };
}
