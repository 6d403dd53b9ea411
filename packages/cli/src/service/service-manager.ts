import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LAUNCHD_LABEL } from './launchd-plist.js';
import { SYSTEMD_UNIT_NAME } from './systemd-unit.js';

/** Where this platform keeps a per-user service and its logs, and how to drive it. */
export interface ServicePlatform {
  kind: 'systemd' | 'launchd';
  /** The unit file or plist. */
  file: string;
  /** Where the output goes, for people. */
  logs: string;
  /** The log file launchd writes (launchd only). */
  logFile?: string;
  /** Commands run before starting, failures ignored (unloading an older install). */
  resetCommands: string[][];
  /** Commands that load and (re)start it, in order; the first failure stops the sequence. */
  startCommands: string[][];
  /** Commands that stop and unload it, in order (failures ignored). */
  stopCommands: string[][];
  /** Commands run after the file is removed (failures ignored). */
  afterRemoveCommands: string[][];
  /** A command whose output says whether it runs. */
  statusCommand: string[];
}

export function servicePlatform(platform: NodeJS.Platform = process.platform): ServicePlatform {
  const home = homedir();
  if (platform === 'linux') {
    const configHome = process.env['XDG_CONFIG_HOME'] || join(home, '.config');
    return {
      kind: 'systemd',
      file: join(configHome, 'systemd', 'user', SYSTEMD_UNIT_NAME),
      logs: `journalctl --user -u baton`,
      resetCommands: [],
      // restart, not start: a re-install must run the new unit, not keep the old process.
      startCommands: [
        ['systemctl', '--user', 'daemon-reload'],
        ['systemctl', '--user', 'enable', SYSTEMD_UNIT_NAME],
        ['systemctl', '--user', 'restart', SYSTEMD_UNIT_NAME],
      ],
      stopCommands: [['systemctl', '--user', 'disable', '--now', SYSTEMD_UNIT_NAME]],
      afterRemoveCommands: [['systemctl', '--user', 'daemon-reload']],
      statusCommand: ['systemctl', '--user', 'is-active', SYSTEMD_UNIT_NAME],
    };
  }
  if (platform === 'darwin') {
    const uid = process.getuid?.() ?? 0;
    const file = join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
    const logFile = join(home, 'Library', 'Logs', 'baton', 'baton.log');
    return {
      kind: 'launchd',
      file,
      logs: logFile,
      logFile,
      // bootout first: bootstrap refuses a label that is already loaded (a re-install).
      resetCommands: [['launchctl', 'bootout', `gui/${uid}/${LAUNCHD_LABEL}`]],
      startCommands: [['launchctl', 'bootstrap', `gui/${uid}`, file]],
      stopCommands: [['launchctl', 'bootout', `gui/${uid}/${LAUNCHD_LABEL}`]],
      afterRemoveCommands: [],
      statusCommand: ['launchctl', 'print', `gui/${uid}/${LAUNCHD_LABEL}`],
    };
  }
  throw new Error(platform);
}

export interface ToolResult {
  ok: boolean;
  output: string;
}

/** Runs a service-manager command; a missing tool or a failure is a result, never a throw. */
export function runTool(argv: readonly string[]): ToolResult {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
  if (r.error) return { ok: false, output: r.error.message };
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

/** A command as a person would type it. */
export function shellLine(argv: readonly string[]): string {
  return argv
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
