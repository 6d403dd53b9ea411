import { z } from 'zod';

/**
 * A model name as an agent CLI takes it (`claude --model`, Codex's `model`): an alias such as
 * `sonnet` or a full id such as `claude-sonnet-4-5` or `gpt-5.1-codex`, without spaces or
 * control characters. Whether the agent knows it is the agent's to say.
 */
export const AgentModel = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'a model name is printable ASCII without spaces');

/**
 * A permission mode as the session's agent names it: Claude Code's `--permission-mode`
 * (default, acceptEdits, auto, bypassPermissions, dontAsk, plan) or Codex's approval policy
 * (untrusted, on-failure, on-request, never). The server checks it against the session's agent.
 */
export const AgentPermissionMode = z.string().min(1).max(100);

/** A slash command an agent offers (Claude Code's `init` lists them; baton's own for Codex). */
export const AgentCommand = z.object({
  /** Without the leading `/`: `compact`, `context`, `review`, `plugin:command`. */
  name: z.string().min(1).max(200),
  description: z.string().max(1000).optional(),
  /** What the command takes after its name, as the agent describes it (`[instructions]`). */
  argumentHint: z.string().max(200).optional(),
});
export type AgentCommand = z.infer<typeof AgentCommand>;
