import type { AgentConfig } from '@baton/protocol';

/** Permission modes `claude --permission-mode` accepts. */
export const CLAUDE_PERMISSION_MODES = [
  'default',
  'acceptEdits',
  'auto',
  'bypassPermissions',
  'dontAsk',
  'plan',
] as const;

/**
 * The command line of one Claude Code conversation process: the stream-json machine protocol
 * in both directions, partial messages for live streaming, permission prompts over the control
 * channel (`--permission-prompt-tool stdio`), and either a new session with an id baton chose
 * or `--resume` of the stored one. The session's system prompt goes to
 * `--append-system-prompt`, never into the user's message.
 */
export function claudeArgs(
  config: AgentConfig,
  conversation: { resume: string } | { create: string },
): string[] {
  const args = [
    '-p',
    '--input-format',
    'stream-json',
    '--output-format',
    'stream-json',
    '--verbose',
    '--include-partial-messages',
    '--permission-prompt-tool',
    'stdio',
  ];
  if ('resume' in conversation) args.push('--resume', conversation.resume);
  else args.push('--session-id', conversation.create);
  if (config.model) args.push('--model', config.model);
  if (config.permissionMode) args.push('--permission-mode', config.permissionMode);
  if (config.systemPrompt) args.push('--append-system-prompt', config.systemPrompt);
  args.push(...(config.args ?? []));
  return args;
}
