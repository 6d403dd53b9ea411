/** What a line typed into the chat view asks for. */
export type ChatCommand =
  | { kind: 'message'; text: string }
  | { kind: 'allow'; requestId: string | undefined }
  | { kind: 'deny'; requestId: string | undefined; message: string | undefined }
  /** Answers to the agent's questions, one per question, as typed (see `answersFromChoices`). */
  | { kind: 'answer'; requestId: string | undefined; choices: string[] }
  | { kind: 'stop' }
  | { kind: 'detach' }
  | { kind: 'retry' }
  | { kind: 'cancel' }
  | { kind: 'help' }
  | { kind: 'mode'; permissionMode: string }
  | { kind: 'empty' }
  | { kind: 'error'; message: string };

/** The help text of the chat view. */
export const CHAT_HELP = [
  'type a message and press Enter to send it (while a turn runs it is queued)',
  '/allow [id]            allow the waiting permission request (y also works)',
  '/deny [id] [message]   deny it, optionally telling the agent why (n also works);',
  '                       for a plan: send it back, saying what to change',
  "/answer [id] N[; M]    answer the agent's questions: option numbers (1,3 for several)",
  '                       or your own words, one answer per question separated by ;',
  '/stop or Ctrl-C        stop the current turn (the conversation goes on)',
  '/retry                 send your failed messages again',
  '/cancel                withdraw your last queued message before the agent takes it',
  '/detach, Ctrl-D        leave; the session keeps running',
  '/mode <mode>           change the permission mode from the next turn (acceptEdits, plan, …)',
  '/model [name]          show or change the model from the next turn',
  '/other                 any other /command goes to the agent: /cost, /context, /compact, /clear…',
  '//text                 send a message that starts with a slash',
].join('\n');

/**
 * Reads one typed line. `outstanding` are the ids of the permission requests waiting for an
 * answer, oldest first: with any waiting, a bare y/yes or n/no answers the oldest. A message
 * keeps exactly what was typed.
 */
export function parseChatLine(line: string, outstanding: readonly string[]): ChatCommand {
  const trimmed = line.trim();
  if (trimmed.length === 0) return { kind: 'empty' };
  if (outstanding.length > 0) {
    const word = trimmed.toLowerCase();
    if (word === 'y' || word === 'yes') return { kind: 'allow', requestId: outstanding[0] };
    if (word === 'n' || word === 'no')
      return { kind: 'deny', requestId: outstanding[0], message: undefined };
  }
  if (trimmed.startsWith('//')) return { kind: 'message', text: line.replace('/', '') };
  if (!trimmed.startsWith('/')) return { kind: 'message', text: line };

  const [name = '', ...args] = trimmed.slice(1).split(/\s+/);
  switch (name.toLowerCase()) {
    case 'allow':
    case 'approve':
    case 'y': {
      const picked = pickRequest(args, outstanding);
      if (picked.error) return { kind: 'error', message: picked.error };
      if (picked.rest.length > 0)
        return { kind: 'error', message: `no permission request '${args[0]}' is waiting` };
      return { kind: 'allow', requestId: picked.requestId };
    }
    case 'deny':
    case 'n': {
      const picked = pickRequest(args, outstanding);
      if (picked.error) return { kind: 'error', message: picked.error };
      const message = picked.rest.join(' ');
      return { kind: 'deny', requestId: picked.requestId, message: message || undefined };
    }
    case 'answer': {
      const picked = pickRequest(args, outstanding);
      if (picked.error) return { kind: 'error', message: picked.error };
      const text = picked.rest.join(' ').trim();
      if (!text)
        return {
          kind: 'error',
          message: 'say the answer: /answer 2, or /answer 1; 3 for two questions',
        };
      return { kind: 'answer', requestId: picked.requestId, choices: text.split(';') };
    }
    case 'stop':
    case 'interrupt':
      return { kind: 'stop' };
    case 'detach':
    case 'quit':
    case 'exit':
    case 'q':
      return { kind: 'detach' };
    case 'retry':
      return { kind: 'retry' };
    case 'cancel':
    case 'withdraw':
      return { kind: 'cancel' };
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'mode':
      if (args.length !== 1)
        return {
          kind: 'error',
          message: 'say which permission mode: /mode acceptEdits (Claude) or /mode never (Codex)',
        };
      return { kind: 'mode', permissionMode: args[0]! };
    default:
      // The agent's own commands (and baton's /model) run on the server, so every device sees
      // them and their output; one the agent does not have is answered there, for everyone.
      return { kind: 'message', text: line.trim() };
  }
}

/**
 * The request an /allow or /deny means: an explicit id (or a unique prefix of one) as the first
 * argument, else the oldest waiting request.
 */
function pickRequest(
  args: string[],
  outstanding: readonly string[],
): { requestId: string | undefined; rest: string[]; error?: string } {
  const first = args[0];
  if (first !== undefined) {
    const id = first.replace(/^\[|\]$/g, '');
    const matches = outstanding.filter((r) => r === id || (id.length >= 4 && r.startsWith(id)));
    if (matches.length === 1) return { requestId: matches[0], rest: args.slice(1) };
    if (matches.length > 1)
      return {
        requestId: undefined,
        rest: [],
        error: `'${id}' matches several requests; give more of the id`,
      };
  }
  if (outstanding.length === 0)
    return {
      requestId: undefined,
      rest: [],
      error: 'no permission request is waiting for an answer',
    };
  return { requestId: outstanding[0], rest: args };
}
