import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where baton keeps things on this machine: `$BATON_HOME`, else `~/.baton`. The server's default
 * data directory and the CLI's own state (its device token, the last server started) live here.
 * An empty `BATON_HOME` counts as unset, as every other variable does (resolve-settings.ts): read
 * as a path it named the current directory, and a server made that its data directory.
 */
export function batonHome(): string {
  const set = process.env['BATON_HOME'];
  return set !== undefined && set !== '' ? set : join(homedir(), '.baton');
}

export const DEFAULT_PORT = 7777;
