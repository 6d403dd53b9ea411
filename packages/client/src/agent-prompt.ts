/** One of the questions an agent asks (Claude Code's AskUserQuestion, Codex's request_user_input). */
export interface AgentQuestion {
  /** The full question; answers are keyed by it (`PermissionDecision.answers`). */
  readonly question: string;
  /** A short label for it (a chip), when the agent gave one. */
  readonly header: string | undefined;
  /** Whether several options may be chosen; their labels are then joined with ", ". */
  readonly multiSelect: boolean;
  readonly options: readonly { readonly label: string; readonly description: string | undefined }[];
  /**
   * The agent asks for something to keep out of sight (Codex marks such questions): a client
   * hides what is typed. The answer is still stored in the session's log like any other.
   */
  readonly secret?: boolean;
}

/**
 * What an agent's permission request asks of a person. Claude Code routes two of its tools
 * through the same prompt as any tool use:
 * - `ExitPlanMode`: approve the plan (allow) or send it back with feedback (deny with a
 *   message). `plan` is its Markdown, empty when the agent gave none.
 * - `AskUserQuestion`: answer its questions (allow with `answers`) or decline (deny). Codex's
 *   questions (its request_user_input tool) come as this too.
 * Everything else is a plain permission. Total: any input, even from a newer CLI, gives one.
 */
export type AgentPrompt =
  | { readonly kind: 'permission' }
  | { readonly kind: 'plan'; readonly plan: string }
  | { readonly kind: 'question'; readonly questions: readonly AgentQuestion[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function agentPrompt(toolName: string, input: unknown): AgentPrompt {
  const o = isObj(input) ? input : {};
  if (toolName === 'ExitPlanMode') return { kind: 'plan', plan: str(o.plan) ?? '' };
  if (toolName !== 'AskUserQuestion') return { kind: 'permission' };
  const questions = (Array.isArray(o.questions) ? o.questions : [])
    .filter(isObj)
    .flatMap((q): AgentQuestion[] => {
      const question = str(q.question);
      if (!question) return [];
      const options = (Array.isArray(q.options) ? q.options : []).filter(isObj).flatMap((opt) => {
        const label = str(opt.label);
        return label ? [{ label, description: str(opt.description) }] : [];
      });
      return [
        {
          question,
          header: str(q.header),
          multiSelect: q.multiSelect === true,
          options,
          secret: q.secret === true,
        },
      ];
    });
  return { kind: 'question', questions };
}
