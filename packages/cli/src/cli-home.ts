import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where baton keeps things on this machine: `$BATON_HOME`, else `~/.baton`. The server's default
 * data directory and the CLI's own state (its device token, the last server started) live here.
 */
export function batonHome(): string {
  return process.env['BATON_HOME'] ?? join(homedir(), '.baton');
}

export const DEFAULT_PORT = 7777;
