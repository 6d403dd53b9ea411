import type { ModelPrices } from './model-price.js';

/** Options of the Claude Code and Codex runner factories. */
export interface AgentRunnerOptions {
  /**
   * Stop a conversation's process after it has been idle (no turn running) this long, in
   * milliseconds. The next message resumes it. Default 10 minutes.
   */
  idleStopMs?: number;
  /** The binary to run when a session's config names none. Default `claude` / `codex` on PATH. */
  binary?: string;
  /** The model for sessions whose config names none. Default: the agent CLI's own default. */
  model?: string;
  /** How long a process may take to exit after SIGTERM before it is killed. Default 3 s. */
  stopGraceMs?: number;
  /**
   * Prices by model, in US dollars per million tokens, for agents that report tokens but no
   * cost (Codex): each entry overrides or adds to the built-in table (`CODEX_PRICES`).
   */
  prices?: ModelPrices;
}

export const DEFAULT_IDLE_STOP_MS = 10 * 60_000;
export const DEFAULT_STOP_GRACE_MS = 3_000;
