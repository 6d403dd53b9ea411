import { stripUnprintable, type SessionInfo } from '@baton/protocol';
import { attachTerminal } from '../attach/terminal-attach.js';
import { CliError, ExitCode } from '../cli-error.js';
import type { ParsedArgs } from '../parse-args.js';
import { resolveSession } from '../resolve-session.js';
import { resolveTarget, type ServerTarget } from '../server-target.js';
import { attachChat } from '../attach/chat-attach.js';
import { sealingFor } from '../device-keys.js';
import { sessionSealingFor } from '../sealed-input.js';
import type { SessionSealing } from '@baton/client';

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
    await attachChat({
      wsUrl: target.wsUrl,
      token: target.token,
      sessionId: session.id,
      readOnly,
      stdin: process.stdin,
      stdout: process.stdout,
      ...sealingFor(target.url),
    });
    return;
  }
  if (!process.stdin.isTTY && !readOnly) {
    throw new CliError(
      'baton attach needs a terminal (stdin is not a TTY); use --read-only or baton tail',
      ExitCode.Usage,
    );
  }
  const name = stripUnprintable(session.name);
  let sealing: Promise<SessionSealing> | undefined;
  const result = await attachTerminal({
    wsUrl: target.wsUrl,
    token: target.token,
    sessionId: session.id,
    readOnly,
    // A sealed session: opened and typed into with this CLI's keys (baton join).
    sealing: session.sealed ? () => (sealing ??= sessionSealingFor(target, session)) : undefined,
    stdin: process.stdin,
    stdout: process.stdout,
  });
  process.stdout.write(
    result.reason === 'detached'
      ? `\r\n[detached from ${name}; reattach with: baton attach ${session.id}]\r\n`
      : `\r\n[${name} exited${result.exitCode !== undefined ? ` with status ${result.exitCode}` : ''}]\r\n`,
  );
}
