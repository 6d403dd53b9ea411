import type { SessionInfo } from '@baton/protocol';
import { attachTerminal } from '../attach/terminal-attach.js';
import { CliError, ExitCode } from '../cli-error.js';
import type { ParsedArgs } from '../parse-args.js';
import { resolveSession } from '../resolve-session.js';
import { resolveTarget, type ServerTarget } from '../server-target.js';
import { tail } from './tail.js';

/**
 * `baton attach <session>`: a terminal session full-screen (Ctrl-\ detaches), or an agent
 * session as a chat view.
 */
export async function attach(
  args: ParsedArgs,
  known?: { target: ServerTarget; session: SessionInfo },
): Promise<void> {
  const target = known?.target ?? (await resolveTarget(args));
  const session = known?.session ?? (await resolveSession(target, args.positionals[0]));
  const readOnly = args.flags.has('read-only');
  if (session.kind !== 'terminal') {
    const chat = await loadChatAttach();
    if (chat) {
      await chat({
        wsUrl: target.wsUrl,
        token: target.token,
        sessionId: session.id,
        readOnly,
        stdin: process.stdin,
        stdout: process.stdout,
      });
      return;
    }
    await tail({ ...args, positionals: [session.id] });
    return;
  }
  if (!process.stdin.isTTY && !readOnly) {
    throw new CliError(
      'baton attach needs a terminal (stdin is not a TTY); use --read-only or baton tail',
      ExitCode.Usage,
    );
  }
  const result = await attachTerminal({
    wsUrl: target.wsUrl,
    token: target.token,
    sessionId: session.id,
    readOnly,
    stdin: process.stdin,
    stdout: process.stdout,
  });
  process.stdout.write(
    result.reason === 'detached'
      ? `\r\n[detached from ${session.name}; reattach with: baton attach ${session.id}]\r\n`
      : `\r\n[${session.name} exited${result.exitCode !== undefined ? ` with status ${result.exitCode}` : ''}]\r\n`,
  );
}

type ChatAttach = (o: {
  wsUrl: string;
  token: string;
  sessionId: string;
  readOnly: boolean;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}) => Promise<unknown>;

/** The chat view for agent sessions, when this build has it. */
async function loadChatAttach(): Promise<ChatAttach | undefined> {
  try {
    const mod = (await import(new URL('../attach/chat-attach.js', import.meta.url).href)) as {
      attachChat?: ChatAttach;
    };
    return mod.attachChat;
  } catch {
    return undefined;
  }
}
