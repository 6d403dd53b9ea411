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

/** Flags of `claude` that choose the conversation, with whether each takes a value. */
const CONVERSATION_FLAGS: ReadonlyMap<string, boolean> = new Map([
  ['--resume', true],
  ['-r', true],
  ['--session-id', true],
  ['--continue', false],
  ['-c', false],
]);

/**
 * The command line of one Claude Code conversation process: the stream-json machine protocol
 * in both directions, partial messages for live streaming, permission prompts over the control
 * channel (`--permission-prompt-tool stdio`), and either a new session with an id baton chose
 * or `--resume` of the stored one. The session's system prompt goes to
 * `--append-system-prompt`, never into the user's message.
 *
 * Invariant: the command line names the conversation once. Claude refuses `--session-id`
 * together with `--resume` or `--continue`, so when the config's `args` choose the conversation
 * themselves, baton adds no `--session-id` for a new one; once a conversation id is stored,
 * baton's `--resume` of it replaces theirs (the stored id is where the conversation is now).
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
  const extra = config.args ?? [];
  const own = conversationFlagsIn(extra);
  if ('resume' in conversation) args.push('--resume', conversation.resume);
  else if (own.length === 0) args.push('--session-id', conversation.create);
  if (config.model) args.push('--model', config.model);
  if (config.permissionMode) args.push('--permission-mode', config.permissionMode);
  if (config.systemPrompt) args.push('--append-system-prompt', config.systemPrompt);
  const skip = 'resume' in conversation ? new Set(own) : new Set<number>();
  args.push(...extra.filter((_, i) => !skip.has(i)));
  return args;
}

/** Indexes in `args` of the flags that choose a conversation, and of their values. */
function conversationFlagsIn(args: readonly string[]): number[] {
  const found: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const takesValue = CONVERSATION_FLAGS.get(flag);
    if (takesValue === undefined) continue;
    found.push(i);
    // `--resume` alone opens a picker; a value is the next argument unless it is a flag.
    if (takesValue && eq < 0 && i + 1 < args.length && !args[i + 1]!.startsWith('-')) {
      found.push(i + 1);
      i++;
    }
  }
  return found;
}
