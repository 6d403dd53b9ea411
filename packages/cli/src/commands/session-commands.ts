import type { InputPayload, SessionInfo, SessionKind } from '@baton/protocol';
import { sealInputFor } from '../sealed-input.js';
import { CliError, ExitCode } from '../cli-error.js';
import { flagList, flagString, type ParsedArgs } from '../parse-args.js';
import { resolveSession } from '../resolve-session.js';
import { request, resolveTarget } from '../server-target.js';
import { newInputId } from '@baton/client';
import { RETRYABLE_ERROR_CODES, stripUnprintable, type ErrorCode } from '@baton/protocol';
import { formatSessionTable } from '../format-sessions.js';
import { sessionConfigFromFlags } from './session-config-flags.js';
import { uploadSendAttachments } from './send-attachments.js';

const KINDS: SessionKind[] = ['terminal', 'claude', 'codex'];

/** `baton ls`: the sessions, with who is attached. */
export async function ls(args: ParsedArgs): Promise<void> {
  const target = await resolveTarget(args);
  const { sessions } = (await request(target.url, 'GET', '/api/sessions', target.token)) as {
    sessions: SessionInfo[];
  };
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify(sessions, null, 2) + '\n');
    return;
  }
  process.stdout.write(formatSessionTable(sessions, Date.now()));
}

/** `baton new <kind>`: creates a session and prints its id (or attaches to it). */
export async function create(args: ParsedArgs): Promise<SessionInfo> {
  const kind = (args.positionals[0] ?? 'terminal') as SessionKind;
  if (!KINDS.includes(kind))
    throw new CliError(
      `unknown session kind '${kind}'; use terminal, claude or codex`,
      ExitCode.Usage,
    );
  const config = sessionConfigFromFlags(kind, args);
  // Refused before the session exists: failing after would leave one behind, its id unsaid.
  const attaching = args.flags.has('attach');
  if (args.flags.has('read-only') && !attaching)
    throw new CliError(
      '--read-only is for watching what --attach opens: add --attach, or leave out --read-only',
      ExitCode.Usage,
    );
  if (attaching && kind === 'terminal' && !process.stdin.isTTY && !args.flags.has('read-only'))
    throw new CliError(
      'baton new --attach needs a terminal (stdin is not a TTY): add --read-only to watch, or leave out --attach to get the id',
      ExitCode.Usage,
    );
  const target = await resolveTarget(args);
  const body: Record<string, unknown> = { kind, config };
  const name = flagString(args, 'name');
  if (name) body['name'] = name;
  const { session } = (await request(target.url, 'POST', '/api/sessions', target.token, body)) as {
    session: SessionInfo;
  };
  if (session.status === 'failed') {
    throw new CliError(
      `session ${session.id} failed to start: ${stripUnprintable(session.reason ?? 'unknown reason')}`,
    );
  }
  if (!attaching) process.stdout.write(`${session.id}\n`);
  return session;
}

/** `baton send <session> <text…>`: one input, retried with the same id until acknowledged. */
export async function send(args: ParsedArgs): Promise<void> {
  const target = await resolveTarget(args);
  const session = await resolveSession(target, args.positionals[0]);
  const text = args.positionals.slice(1).join(' ');
  const images = flagList(args, 'image');
  const files = flagList(args, 'file');
  const attaching = images.length + files.length > 0;
  if (attaching && session.kind === 'terminal')
    throw new CliError(
      `--image and --file go with messages to an agent; ${session.id} is a terminal session`,
      ExitCode.Usage,
    );
  if (!text)
    throw new CliError(
      attaching
        ? 'add a message to send with the attachments: baton send <session> --image a.png <text>'
        : 'nothing to send: baton send <session> <text>',
      ExitCode.Usage,
    );
  // Uploaded before the message: the message names them by id (docs/protocol.md, "Attachments").
  const attachments = attaching ? await uploadSendAttachments(target, session, images, files) : [];
  const payload: InputPayload =
    session.kind === 'terminal'
      ? { kind: 'terminal', data: args.flags.has('no-enter') ? text : text + '\r' }
      : { kind: 'message', text, ...(attachments.length > 0 ? { attachments } : {}) };
  const inputId = newInputId();
  // A sealed session's input is sealed here, once; the relay only ever sees the envelope.
  const wire = session.sealed ? await sealInputFor(target, session, inputId, payload) : payload;
  let lastError: unknown;
  // The same input id on every attempt: a retry after a lost answer is stored once, and one
  // after a retryable refusal (a store that could not write) is stored in its turn: the server
  // holds this device's later inputs until a refused one is sent again (docs/protocol.md,
  // section 7, rule 5).
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const res = (await request(
        target.url,
        'POST',
        `/api/sessions/${session.id}/inputs`,
        target.token,
        { inputId, payload: wire },
      )) as {
        seq: number;
        duplicate: boolean;
      };
      process.stdout.write(`sent as #${res.seq}${res.duplicate ? ' (already stored)' : ''}\n`);
      return;
    } catch (err) {
      lastError = err;
      if (!(err instanceof CliError)) throw err;
      const refused = err.refusal?.code;
      const retryable = refused !== undefined && RETRYABLE_ERROR_CODES.has(refused as ErrorCode);
      if (err.exitCode !== ExitCode.Unreachable && !retryable) throw err;
      const waitMs = err.refusal?.retryAfterMs ?? 250 * 2 ** attempt;
      if (retryable && attempt < 3)
        process.stderr.write(`${err.message}; sending it again in ${waitMs} ms\n`);
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
  throw lastError;
}

async function simple(
  args: ParsedArgs,
  verb: string,
  method: string,
  suffix: string,
): Promise<SessionInfo | undefined> {
  const target = await resolveTarget(args);
  const session = await resolveSession(target, args.positionals[0]);
  const res = (await request(
    target.url,
    method,
    `/api/sessions/${session.id}${suffix}`,
    target.token,
  )) as { session?: SessionInfo };
  const s = res.session;
  process.stdout.write(
    `${verb} ${session.id}${s ? ` (${s.status}${s.reason ? `: ${stripUnprintable(s.reason)}` : ''})` : ''}\n`,
  );
  return s;
}

export const stop = (args: ParsedArgs) => simple(args, 'stopped', 'POST', '/stop');
export const restart = (args: ParsedArgs) => simple(args, 'restarted', 'POST', '/restart');
export const remove = (args: ParsedArgs) => simple(args, 'deleted', 'DELETE', '');

export async function rename(args: ParsedArgs): Promise<void> {
  const target = await resolveTarget(args);
  const session = await resolveSession(target, args.positionals[0]);
  const name = args.positionals.slice(1).join(' ').trim();
  if (!name) throw new CliError('baton rename <session> <new name>', ExitCode.Usage);
  await request(target.url, 'PATCH', `/api/sessions/${session.id}`, target.token, { name });
  process.stdout.write(`renamed ${session.id} to ${name}\n`);
}
