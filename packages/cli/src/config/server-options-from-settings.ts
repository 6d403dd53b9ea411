import type { RunnerFactory, ServerOptions } from '@baton/server';
import type { ServerModule } from '../commands/load-server.js';
import type { AgentDefaults, Settings } from './resolve-settings.js';

/**
 * The server's options from the effective settings. The agent defaults become runner factories
 * with a default binary and model: a session created without `binary` or `model` runs the
 * configured one (its stored config stays without, so a later change of the default applies).
 */
export function serverOptionsFromSettings(
  settings: Settings,
  { createClaudeRunnerFactory, createCodexRunnerFactory }: ServerModule,
): ServerOptions {
  const runners: RunnerFactory[] = [];
  if (hasAny(settings.agents.claude))
    runners.push(createClaudeRunnerFactory(settings.agents.claude));
  if (hasAny(settings.agents.codex)) runners.push(createCodexRunnerFactory(settings.agents.codex));
  return {
    host: settings.host,
    port: settings.port,
    dataDir: settings.data,
    logLevel: settings.log.level,
    logFormat: settings.log.format,
    retentionEvents: settings.retention,
    durability: settings.durability,
    ...(settings.store !== undefined ? { store: settings.store } : {}),
    ...(settings.cluster ? { cluster: { leaseMs: settings.leaseMs } } : {}),
    metrics: { public: settings.metrics.public },
    ...(settings.allowedOrigins.length > 0 ? { allowedOrigins: settings.allowedOrigins } : {}),
    ...(settings.publicUrl !== undefined ? { publicUrl: settings.publicUrl } : {}),
    ...(settings.tls ? { tls: settings.tls } : {}),
    push: {
      enabled: settings.notifications.enabled,
      ...(settings.notifications.subject !== undefined
        ? { subject: settings.notifications.subject }
        : {}),
    },
    ...(settings.ownerToken !== undefined ? { ownerToken: settings.ownerToken } : {}),
    ...(runners.length > 0 ? { runners } : {}),
  };
}

function hasAny(a: AgentDefaults): boolean {
  return a.binary !== undefined || a.model !== undefined || a.prices !== undefined;
}
