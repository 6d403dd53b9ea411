import type { SessionInfo } from '@baton/protocol';
import { CliError, ExitCode } from './cli-error.js';
import { request, type ServerTarget } from './server-target.js';

/** Finds a session by id, unique id prefix, or exact name. */
export async function resolveSession(
  target: ServerTarget,
  ref: string | undefined,
): Promise<SessionInfo> {
  if (!ref)
    throw new CliError(
      'name the session: its id, the start of its id, or its name (see baton ls)',
      ExitCode.Usage,
    );
  const { sessions } = (await request(target.url, 'GET', '/api/sessions', target.token)) as {
    sessions: SessionInfo[];
  };
  const exact = sessions.find((s) => s.id === ref);
  if (exact) return exact;
  const named = sessions.filter((s) => s.name === ref);
  if (named.length === 1) return named[0]!;
  const prefixed = sessions.filter((s) => s.id.startsWith(ref) || s.id.startsWith('s_' + ref));
  if (prefixed.length === 1) return prefixed[0]!;
  if (named.length + prefixed.length > 1) {
    throw new CliError(
      `'${ref}' matches more than one session; use the full id (see baton ls)`,
      ExitCode.Usage,
    );
  }
  throw new CliError(`no session '${ref}' (see baton ls)`, ExitCode.Failed);
}
