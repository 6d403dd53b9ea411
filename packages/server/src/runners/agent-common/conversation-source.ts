import type { AgentConfig, AgentConversation, NewLogEvent } from '@baton/protocol';
import type { ChildTracker } from '../child-processes/child-registry.js';

/**
 * How a ConversationSource reaches the agent: the config it would run with, its binary, and
 * where a helper process it starts is recorded (Codex answers through an `app-server`).
 */
export interface ConversationHost {
  /** The session config (its `env`: `HOME`, `CLAUDE_CONFIG_DIR`, `CODEX_HOME`), or `{}`. */
  config: AgentConfig;
  /** The agent binary for that config; throws RunnerError('agent_unavailable', …) without one. */
  binary(): string;
  /** Records a helper process and ends it with everything it started, even after a crash. */
  children: ChildTracker;
}

/**
 * Where an agent CLI keeps conversations baton did not start, for adopting them
 * (`AgentConfig.resume`). Every method reads the host as the agent would see it with the
 * host's config (the server's environment overlaid with the session's `env`).
 */
export interface ConversationSource {
  /** The conversations there, newest first, at most `limit`. Never throws for bad files. */
  list(host: ConversationHost, limit: number): Promise<AgentConversation[]>;
  /**
   * Checks that conversation `id` exists and returns its working directory (when known). Throws
   * RunnerError('not_found', …) saying where it looked, so a bad id is refused before a
   * session is created.
   */
  locate(host: ConversationHost, id: string): Promise<{ cwd: string | undefined }>;
  /** Its history as log events, each marked `imported`. Throws RunnerError when it cannot be read. */
  history(host: ConversationHost, id: string): Promise<NewLogEvent[]>;
}
