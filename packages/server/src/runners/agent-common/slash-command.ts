/** A chat message that is a slash command: `/name` alone or followed by whitespace and arguments. */
export interface SlashCommand {
  /** Without the `/`, as typed (`compact`, `model`, `plugin:command`). */
  name: string;
  /** What follows the name, trimmed; empty when nothing does. */
  args: string;
}

/**
 * A name is a letter, then letters, digits and `_ - . :` (plugin commands are `plugin:name`).
 * `/` may not follow, so a message that starts with a path (`/usr/bin is …`) is a message.
 */
const COMMAND = /^\/([A-Za-z][\w.:-]*)(?:\s+([\s\S]*))?$/;

/** The slash command `text` is, or undefined when it is an ordinary message. */
export function parseSlashCommand(text: string): SlashCommand | undefined {
  const m = COMMAND.exec(text.trim());
  if (!m) return undefined;
  return { name: m[1]!, args: (m[2] ?? '').trim() };
}

/**
 * How many of the queued messages the next turn takes: a slash command runs as a turn of its
 * own (the agent reads a command only when it is the whole message), so a turn takes either the
 * first message alone, when it is a command, or every message up to the next command.
 */
export function nextTurnLength(queue: ReadonlyArray<{ text: string }>): number {
  if (queue.length === 0) return 0;
  if (parseSlashCommand(queue[0]!.text)) return 1;
  const command = queue.findIndex((q) => parseSlashCommand(q.text) !== undefined);
  return command < 0 ? queue.length : command;
}
