import WebSocket from 'ws';
import { BatonClient, VERIFY_FAILED } from '@baton/client';
import { sealingFor } from '../device-keys.js';
import type { LogEvent } from '@baton/protocol';
import { formatEvent } from '../format-event.js';
import { flagInt, type ParsedArgs } from '../parse-args.js';
import { resolveSession } from '../resolve-session.js';
import { resolveTarget } from '../server-target.js';
import { CliError, ExitCode } from '../cli-error.js';

/**
 * `baton tail <session>`: prints the session's events from `--after` (default: the whole
 * retained log) and follows it live, through reconnects, until Ctrl-C. `--json` prints one
 * event per line as JSON.
 */
export async function tail(args: ParsedArgs): Promise<void> {
  const target = await resolveTarget(args);
  const session = await resolveSession(target, args.positionals[0]);
  const json = args.flags.has('json');
  const after = flagInt(args, 'after', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const client = new BatonClient({
    url: target.wsUrl,
    token: target.token,
    mode: 'cli',
    label: 'baton tail',
    WebSocket: WebSocket as never,
    watchSessions: true,
    ...sealingFor(target.url),
  });
  // A sealed event that fails a check is never printed; this says which and why.
  client.on('error', (error) => {
    if (error.code === VERIFY_FAILED) process.stderr.write(`baton tail: ${error.message}\n`);
  });
  const print = (e: LogEvent) => {
    if (e.seq <= after) return;
    if (json) process.stdout.write(JSON.stringify(e) + '\n');
    else {
      const line = formatEvent(e);
      if (line !== undefined) process.stdout.write(line);
    }
  };
  client.on('event', ({ sessionId, event }) => {
    if (sessionId === session.id) print(event);
  });
  client.on('snapshot', ({ sessionId, base }) => {
    if (sessionId !== session.id) return;
    if (json) process.stdout.write(JSON.stringify({ snapshot: base }) + '\n');
    else {
      const runner = base.state?.runner;
      if (runner?.kind === 'terminal') process.stdout.write(runner.screen);
      else process.stdout.write(`[snapshot at #${base.seq}]\n`);
    }
  });
  client.on('state', (s) => {
    if (s.status === 'failed') {
      process.stderr.write(`baton tail: ${s.reason}\n`);
      process.exit(ExitCode.Unreachable);
    }
  });
  client.connect();
  try {
    await client.whenConnected(15_000);
  } catch {
    throw new CliError(
      `cannot connect to ${target.wsUrl}; is baton serve running?`,
      ExitCode.Unreachable,
    );
  }
  client.subscribe(session.id, { readOnly: true });
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    client.sessions.subscribe(() => {
      if (!client.sessions.getSnapshot().sessions.some((s) => s.id === session.id)) {
        process.stderr.write(`session ${session.id} was deleted\n`);
        resolve();
      }
    });
  });
  await client.close();
}
