import { Role, type AuditPage, type DeviceListing } from '@baton/protocol';
import { CliError, ExitCode } from '../cli-error.js';
import { formatAuditLine, formatDeviceTable } from '../format-devices.js';
import { flagInt, flagString, type ParsedArgs } from '../parse-args.js';
import { resolveDevice } from '../resolve-device.js';
import { resolveSession } from '../resolve-session.js';
import { request, resolveTarget, type ServerTarget } from '../server-target.js';

/** How often `baton audit --follow` asks for new entries. */
const FOLLOW_INTERVAL_MS = 1_000;

/**
 * `baton devices [rename|role|revoke …]`: lists devices, or changes one. The server decides
 * who may do what (owner for everything but renaming oneself); its refusal is printed as is.
 */
export async function devices(args: ParsedArgs): Promise<void> {
  const [sub, ...rest] = args.positionals;
  const listing = sub === undefined || sub === 'ls' || sub === 'list';
  if (flagString(args, 'session') !== undefined && sub !== 'role')
    throw new CliError(
      '--session narrows a role: baton devices role <device> <role> --session <session>',
      ExitCode.Usage,
    );
  if (args.flags.has('json') && !listing)
    throw new CliError('--json is for the list of devices: baton devices --json', ExitCode.Usage);
  const target = await resolveTarget(args);
  switch (sub) {
    case undefined:
    case 'ls':
    case 'list': {
      const { devices } = (await request(target.url, 'GET', '/api/devices', target.token)) as {
        devices: DeviceListing[];
      };
      process.stdout.write(
        args.flags.has('json')
          ? JSON.stringify(devices, null, 2) + '\n'
          : formatDeviceTable(devices, Date.now()),
      );
      return;
    }
    case 'rename': {
      const name = rest.slice(1).join(' ').trim();
      if (!rest[0] || !name)
        throw new CliError('usage: baton devices rename <device> <new name>', ExitCode.Usage);
      const device = await resolveDevice(target, rest[0]);
      await patch(target, device.id, { name });
      process.stdout.write(`renamed ${device.id} to ${name}\n`);
      return;
    }
    case 'role': {
      const [ref, roleText, ...extra] = rest;
      const role = roleText === 'default' ? undefined : Role.safeParse(roleText);
      const usage =
        'usage: baton devices role <device> owner|editor|viewer [--session <session>], or role <device> default --session <session>';
      if (!ref || extra.length > 0 || (role !== undefined && !role.success))
        throw new CliError(usage, ExitCode.Usage);
      if (role === undefined && flagString(args, 'session') === undefined)
        throw new CliError(`'default' removes a per-session role: ${usage}`, ExitCode.Usage);
      return changeRole(args, target, ref, role?.data ?? null);
    }
    case 'revoke': {
      if (!rest[0] || rest.length > 1)
        throw new CliError('usage: baton devices revoke <device>', ExitCode.Usage);
      const device = await resolveDevice(target, rest[0]);
      await request(
        target.url,
        'DELETE',
        `/api/devices/${encodeURIComponent(device.id)}`,
        target.token,
      );
      process.stdout.write(`revoked ${device.id} (${device.name}); its connections are closed\n`);
      return;
    }
    default:
      throw new CliError(
        `unknown devices command '${sub.slice(0, 40)}'; use rename, role or revoke (baton devices --help)`,
        ExitCode.Usage,
      );
  }
}

async function changeRole(
  args: ParsedArgs,
  target: ServerTarget,
  ref: string,
  /** null: back to the device's own role on that session. */
  role: Role | null,
): Promise<void> {
  const device = await resolveDevice(target, ref);
  const sessionRef = flagString(args, 'session');
  if (sessionRef === undefined || role === null) {
    if (role === null) {
      const session = await resolveSession(target, sessionRef);
      await request(
        target.url,
        'DELETE',
        `/api/devices/${encodeURIComponent(device.id)}/sessions/${encodeURIComponent(session.id)}`,
        target.token,
      );
      process.stdout.write(
        `${device.id} (${device.name}) has its own role on ${session.id} again\n`,
      );
      return;
    }
    await patch(target, device.id, { role });
    process.stdout.write(`${device.id} (${device.name}) is now ${role}\n`);
    return;
  }
  const session = await resolveSession(target, sessionRef);
  await request(
    target.url,
    'PUT',
    `/api/devices/${encodeURIComponent(device.id)}/sessions/${encodeURIComponent(session.id)}`,
    target.token,
    { role },
  );
  process.stdout.write(`${device.id} (${device.name}) is ${role} on ${session.id}\n`);
}

function patch(target: ServerTarget, id: string, body: Record<string, unknown>): Promise<unknown> {
  return request(target.url, 'PATCH', `/api/devices/${encodeURIComponent(id)}`, target.token, body);
}

/** `baton audit`: the audit log, oldest first; `--follow` keeps printing new entries. */
export async function audit(args: ParsedArgs): Promise<void> {
  const target = await resolveTarget(args);
  const query = new URLSearchParams();
  const sessionRef = flagString(args, 'session');
  if (sessionRef !== undefined) {
    // A deleted session is no longer listed: its id is taken as given.
    const id = /^s_[a-z2-7]{20}$/.test(sessionRef)
      ? sessionRef
      : (await resolveSession(target, sessionRef)).id;
    query.set('session', id);
  }
  const deviceRef = flagString(args, 'device');
  if (deviceRef !== undefined) {
    const id =
      deviceRef === 'owner' || /^d_[a-z2-7]{20}$/.test(deviceRef)
        ? deviceRef
        : (await resolveDevice(target, deviceRef)).id;
    query.set('device', id);
  }
  let after = flagInt(args, 'after', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const json = args.flags.has('json');
  for (;;) {
    query.set('after', String(after));
    const page = (await request(
      target.url,
      'GET',
      `/api/audit?${query.toString()}`,
      target.token,
    )) as AuditPage;
    for (const e of page.entries)
      process.stdout.write((json ? JSON.stringify(e) : formatAuditLine(e)) + '\n');
    after = page.next;
    if (page.more) continue;
    if (!args.flags.has('follow')) return;
    await new Promise((r) => setTimeout(r, FOLLOW_INTERVAL_MS));
  }
}
