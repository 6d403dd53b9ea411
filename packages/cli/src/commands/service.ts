import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError, ExitCode } from '../cli-error.js';
import { resolveSettings } from '../config/resolve-settings.js';
import type { ParsedArgs } from '../parse-args.js';
import { launchdPlist } from '../service/launchd-plist.js';
import { runningServer } from '../service/running-server.js';
import {
  runTool,
  servicePlatform,
  shellLine,
  type ServicePlatform,
} from '../service/service-manager.js';
import { serviceSpec } from '../service/service-spec.js';
import { systemdUnit } from '../service/systemd-unit.js';

/** `baton service install|uninstall|status`. */
export async function service(args: ParsedArgs): Promise<void> {
  const action = args.positionals[0];
  if (action !== 'install' && action !== 'uninstall' && action !== 'status')
    throw new CliError(
      action === undefined
        ? 'say what to do: baton service install, uninstall or status'
        : `unknown action '${action.slice(0, 40)}'; use install, uninstall or status`,
      ExitCode.Usage,
    );
  let platform: ServicePlatform;
  try {
    platform = servicePlatform();
  } catch {
    throw new CliError(
      `baton service knows systemd (Linux) and launchd (macOS), not ${process.platform}; run baton serve --detach instead`,
      ExitCode.Failed,
    );
  }
  if (action === 'install') install(args, platform);
  else if (action === 'uninstall') uninstall(platform);
  else await status(args, platform);
}

function install(args: ParsedArgs, platform: ServicePlatform): void {
  // Resolving validates the config file now, not at the service's first start.
  const settings = resolveSettings(args);
  const spec = serviceSpec(settings);
  const existed = existsSync(platform.file);
  mkdirSync(dirname(platform.file), { recursive: true });
  if (platform.kind === 'systemd') writeFileSync(platform.file, systemdUnit(spec));
  else {
    mkdirSync(dirname(platform.logFile!), { recursive: true, mode: 0o700 });
    writeFileSync(platform.file, launchdPlist(spec, platform.logFile!));
  }
  const out = process.stdout;
  out.write(`${existed ? 'updated' : 'wrote'} ${platform.file}\n`);
  out.write(`  runs: ${shellLine(spec.argv)}\n`);
  for (const cmd of platform.resetCommands) runTool(cmd);
  for (const cmd of platform.startCommands) {
    const r = runTool(cmd);
    if (!r.ok) {
      out.write(
        `\n${shellLine(cmd)} did not work here (${firstLine(r.output)}), so the service is not started.\n` +
          `Run these where the ${platform.kind === 'systemd' ? 'user systemd instance' : 'launchd GUI session'} is available (your login session):\n\n` +
          platform.startCommands.map((c) => `  ${shellLine(c)}\n`).join('') +
          (platform.kind === 'systemd'
            ? `\nTo keep it running after you log out: loginctl enable-linger ${process.env['USER'] ?? '$USER'}\n`
            : '') +
          `\nOr run it without a service manager: baton serve --detach --data ${settings.data}\n`,
      );
      return;
    }
  }
  out.write(`started; logs: ${platform.logs}\n  status: baton service status\n`);
}

function uninstall(platform: ServicePlatform): void {
  if (!existsSync(platform.file)) {
    process.stdout.write(`no baton service is installed (${platform.file} is absent)\n`);
    return;
  }
  const stopped = platform.stopCommands.map((cmd) => runTool(cmd));
  rmSync(platform.file, { force: true });
  for (const cmd of platform.afterRemoveCommands) runTool(cmd);
  process.stdout.write(`removed ${platform.file}\n`);
  if (!stopped.every((r) => r.ok))
    process.stdout.write(
      `  the service manager could not be asked to stop it; if a server still runs, stop it with baton stop-server\n`,
    );
}

async function status(args: ParsedArgs, platform: ServicePlatform): Promise<void> {
  const settings = resolveSettings(args);
  const out = process.stdout;
  const installed = existsSync(platform.file);
  out.write(`service: ${installed ? `installed (${platform.file})` : 'not installed'}\n`);
  if (installed) {
    const r = runTool(platform.statusCommand);
    const state =
      platform.kind === 'systemd'
        ? r.output.split('\n')[0] || 'unknown'
        : r.ok
          ? 'loaded'
          : 'not loaded';
    out.write(
      r.ok || platform.kind === 'launchd' || /^(inactive|failed|activating)/.test(state)
        ? `  ${platform.kind}: ${state}\n`
        : `  ${platform.kind}: cannot ask (${firstLine(r.output)})\n`,
    );
    out.write(`  logs: ${platform.logs}\n`);
  }
  const running = await runningServer(settings.data);
  if (!running) {
    out.write(`server: not running on ${settings.data}\n`);
    return;
  }
  out.write(
    `server: running on ${settings.data} (pid ${running.pid ?? '?'}${running.url ? `, ${running.url}` : ''})\n`,
  );
  const tokenFile = join(settings.data, 'owner-token');
  if (running.url && existsSync(tokenFile)) {
    const token = readFileSync(tokenFile, 'utf8').trim();
    out.write(`  open: ${running.url}/#token=${token}\n`);
  }
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 120)}…` : line || 'no output';
}
