import type { SessionKind } from '@baton/protocol';
import { createAgentRunnerFactory } from '../runners/agent-common/agent-runner-factory.js';
import type { AgentDriver, DriverSink } from '../runners/agent-common/agent-driver.js';
import type { TurnAttachment } from '../runners/agent-common/turn-attachments.js';
import type { RunnerFactory } from '../runners/runner.js';

/**
 * An agent whose turns stay open until the test ends them, behind the real ConversationRunner
 * (queueing, turns, `input.delivered`, recovery after a restart). Only the agent process is a
 * stand-in: `turns` records what each turn sent to it, in order, and `endTurn()` finishes the
 * oldest open turn as the agent would.
 */
export interface HeldTurnAgent {
  readonly factory: RunnerFactory;
  /** The texts each turn sent to the agent, per turn, in the order the turns started. */
  readonly turns: string[][];
  /** The attachments each turn sent to the agent, per turn (empty for a turn without any). */
  readonly attachments: TurnAttachment[][];
  /** Ends the open turn (completed). Returns false when no turn is open. */
  endTurn(): boolean;
}

export function heldTurnAgent(kind: SessionKind = 'claude'): HeldTurnAgent {
  const turns: string[][] = [];
  const attachments: TurnAttachment[][] = [];
  let open: DriverSink | undefined;
  const driver = (sink: DriverSink): AgentDriver => ({
    start: () => Promise.resolve(),
    sendTurn: (texts, sent) => {
      turns.push(texts);
      attachments.push([...sent]);
      open = sink;
      return Promise.resolve();
    },
    interrupt: () => {
      open?.turnEnded({ outcome: 'interrupted' });
      open = undefined;
      return Promise.resolve();
    },
    answerPermission: () => {},
    stop: () => Promise.resolve(),
  });
  const factory = createAgentRunnerFactory({
    kind,
    displayName: 'Held agent',
    defaultBinary: '/bin/true',
    preflight: () => '/bin/true',
    createDriver: ({ sink }) => driver(sink),
  });
  return {
    factory,
    turns,
    attachments,
    endTurn: () => {
      const sink = open;
      if (!sink) return false;
      open = undefined;
      sink.turnEnded({ outcome: 'completed' });
      return true;
    },
  };
}
