import type { AgentConfig, AgentConversation, NewLogEvent } from '@baton/protocol';

/**
 * Where an agent CLI keeps conversations baton did not start, for adopting them
 * (`AgentConfig.resume`). Every method reads the host as the agent would see it with the given
 * config (its `HOME`, `CLAUDE_CONFIG_DIR`, `CODEX_HOME` from the server's environment overlaid
 * with the session's `env`).
 */
export interface ConversationSource {
  /** The conversations there, newest first, at most `limit`. Never throws for bad files. */
  list(config: AgentConfig, limit: number): Promise<AgentConversation[]>;
  /**
   * Checks that conversation `id` exists and returns its working directory (when known). Throws
   * RunnerError('not_found', …) saying where it looked, so a bad id is refused before a
   * session is created.
   */
  locate(config: AgentConfig, id: string): Promise<{ cwd: string | undefined }>;
  /** Its history as log events, each marked `imported`. Throws RunnerError when it cannot be read. */
  history(config: AgentConfig, id: string): Promise<NewLogEvent[]>;
}
