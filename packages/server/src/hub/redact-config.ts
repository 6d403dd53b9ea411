/**
 * The config as shown to clients: environment values may hold API keys, so only their names
 * are shown. The stored config keeps the values (the runner needs them).
 */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const env = config['env'];
  if (env === undefined || env === null || typeof env !== 'object') return config;
  const hidden: Record<string, string> = {};
  for (const key of Object.keys(env)) hidden[key] = '(hidden)';
  return { ...config, env: hidden };
}
