import { fileURLToPath } from 'node:url';
import type { Settings } from '../config/resolve-settings.js';

/** What the service runs: `node <cli> serve …`, with the environment it needs. */
export interface ServiceSpec {
  /** The program and its arguments, absolute paths only. */
  argv: string[];
  /** Variables the service manager would not otherwise give it. */
  env: Record<string, string>;
  dataDir: string;
}

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/**
 * The command line of the service: this Node and this CLI, `serve` with the data directory and,
 * when one was named, the config file. Everything else comes from the config file at each start,
 * so editing it and restarting the service is enough.
 *
 * The environment: PATH as it is now (service managers start with a minimal one, where `claude`,
 * `codex` or a shell under ~/.local/bin would not be found), SHELL for terminal sessions, and
 * BATON_HOME when set. BATON_TOKEN is never copied into a unit file.
 */
export function serviceSpec(settings: Settings, env = process.env): ServiceSpec {
  const argv = [process.execPath, MAIN, 'serve', '--data', settings.data];
  if (settings.configFile.from !== 'data directory')
    argv.push('--config', settings.configFile.path);
  const keep: Record<string, string> = {};
  for (const name of ['PATH', 'SHELL', 'BATON_HOME']) {
    const v = env[name];
    if (v !== undefined && v !== '') keep[name] = v;
  }
  return { argv, env: keep, dataDir: settings.data };
}
