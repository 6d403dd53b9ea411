import { AdoptableKind, stripUnprintable, type AgentConversation } from '@baton/protocol';
import { CliError, ExitCode } from '../cli-error.js';
import { ago } from '../format-sessions.js';
import { flagInt, flagString, type ParsedArgs } from '../parse-args.js';
import { request, resolveTarget } from '../server-target.js';

/** `baton conversations`: the host's agent conversations a session can adopt (`--resume`). */
export async function conversations(args: ParsedArgs): Promise<void> {
  const kind = flagString(args, 'kind') ?? 'claude';
  if (!AdoptableKind.safeParse(kind).success)
    throw new CliError(`--kind must be claude or codex, not '${kind}'`, ExitCode.Usage);
  const limit = flagInt(args, 'limit', 1, 1000) ?? 200;
  const target = await resolveTarget(args);
  const query = new URLSearchParams({ kind, limit: String(limit) });
  const { conversations: list } = (await request(
    target.url,
    'GET',
    `/api/agent-conversations?${query.toString()}`,
    target.token,
  )) as { conversations: AgentConversation[] };
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return;
  }
  process.stdout.write(formatConversations(kind, list, Date.now()));
}

/**
 * The table of `baton conversations`. Titles are what someone typed into another program, so
 * they go through stripUnprintable like every other text from the server.
 */
export function formatConversations(
  kind: string,
  list: readonly AgentConversation[],
  now: number,
): string {
  if (list.length === 0) return `no ${kind} conversations on the server's host\n`;
  const rows = list.map((c) =>
    [c.id, ago(c.lastActivityAt, now), String(c.messageCount), c.cwd ?? '-', c.title].map(
      stripUnprintable,
    ),
  );
  const header = ['ID', 'ACTIVITY', 'MESSAGES', 'CWD', 'TITLE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const lines = [header, ...rows].map(
    (r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd() + '\n',
  );
  return `${lines.join('')}\nadopt one with: baton new ${kind} --resume <id>\n`;
}
