import { CHILD_MARKER_VAR } from './process-family.js';

/**
 * The environment a runner child starts with: the server's own environment without any
 * `BATON_*` variable (BATON_TOKEN is the owner credential; the rest configure this server, not
 * the child), overlaid with the session's `env` as the person who created it set it, plus
 * BATON_CHILD, the marker that lets baton find the child's processes after a crash (the
 * process launcher adds it when the caller does not).
 *
 * Children run as the same OS user as the server, so this keeps credentials out of `env`
 * output, crash reports and anything an agent sends to its model; it is not a sandbox.
 */
export function childEnv(
  sessionEnv: Record<string, string> | undefined,
  marker?: string,
  serverEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(serverEnv)) {
    if (v !== undefined && !isBatonVariable(k)) env[k] = v;
  }
  Object.assign(env, sessionEnv ?? {});
  if (marker !== undefined) env[CHILD_MARKER_VAR] = marker;
  return env;
}

function isBatonVariable(name: string): boolean {
  return name.toUpperCase().startsWith('BATON_');
}
