import type { ServiceSpec } from './service-spec.js';

export const SYSTEMD_UNIT_NAME = 'baton.service';

/**
 * The systemd user unit. Output goes to the journal (`journalctl --user -u baton`). On stop,
 * systemd sends SIGTERM to baton alone (KillMode=mixed): baton ends its sessions' process
 * groups itself and checkpoints the store; whatever is left after TimeoutStopSec is killed.
 */
export function systemdUnit(spec: ServiceSpec): string {
  const env = Object.entries(spec.env).map(([k, v]) => `Environment=${quote(`${k}=${v}`, false)}`);
  return [
    '# Written by baton service install; baton service uninstall removes it.',
    '[Unit]',
    'Description=baton: live terminal and agent sessions, in step on every device',
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.argv.map((a) => quote(a, true)).join(' ')}`,
    ...env,
    'Restart=on-failure',
    'RestartSec=2',
    'KillMode=mixed',
    'TimeoutStopSec=30',
    'StandardOutput=journal',
    'StandardError=journal',
    'SyslogIdentifier=baton',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/**
 * A double-quoted systemd word: backslash and quote escaped and `%` (specifiers) doubled, so a
 * path is taken exactly as it is. `$` is doubled in ExecStart, where systemd expands variables;
 * Environment= does not expand them, and there `$$` would stay two characters.
 */
function quote(word: string, expandsVariables: boolean): string {
  if (/[\n\r]/.test(word)) throw new Error(`a unit file value cannot hold a line break: ${word}`);
  const escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
  return `"${expandsVariables ? escaped.replace(/\$/g, '$$$$') : escaped}"`;
}
