import type { AgentConfig } from '@baton/protocol';
import { agentEnv } from '../agent-common/index.js';
import type { ConversationSource } from '../agent-common/conversation-source.js';
import { RunnerError } from '../runner.js';
import { claudeHistory } from './claude-history.js';
import {
  claudeProjectsDir,
  findClaudeTranscript,
  listClaudeConversations,
} from './claude-transcripts.js';

/** Claude Code conversations on the host, from its transcripts (see claude-transcripts.ts). */
export const claudeConversations: ConversationSource = {
  list: ({ config }, limit) => listClaudeConversations(claudeProjectsDir(agentEnv(config)), limit),
  locate: async ({ config }, id) => ({ cwd: (await found(config, id)).cwd }),
  history: async ({ config }, id) => {
    const { path } = await found(config, id);
    try {
      return await claudeHistory(path);
    } catch (err) {
      throw new RunnerError(
        'bad_request',
        `cannot read the Claude Code conversation ${id} at ${path}: ${(err as Error).message}; check that the server's user may read it`,
      );
    }
  },
};

async function found(config: AgentConfig, id: string) {
  const dir = claudeProjectsDir(agentEnv(config));
  const transcript = await findClaudeTranscript(dir, id);
  if (!transcript) {
    throw new RunnerError(
      'not_found',
      `no Claude Code conversation ${id} in ${dir}; list the ones there with \`baton conversations\` (GET /api/agent-conversations?kind=claude)`,
    );
  }
  return transcript;
}
