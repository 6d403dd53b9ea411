import type { DeviceListing } from '@baton/protocol';
import { CliError, ExitCode } from './cli-error.js';
import { request, type ServerTarget } from './server-target.js';

/** Finds an active device by id, unique id prefix, or exact name. */
export async function resolveDevice(
  target: ServerTarget,
  ref: string | undefined,
): Promise<DeviceListing> {
  if (!ref)
    throw new CliError(
      'name the device: its id, the start of its id, or its name (see baton devices)',
      ExitCode.Usage,
    );
  const { devices } = (await request(target.url, 'GET', '/api/devices', target.token)) as {
    devices: DeviceListing[];
  };
  const active = devices.filter((d) => !d.revoked);
  const exact = active.find((d) => d.id === ref);
  if (exact) return exact;
  const named = active.filter((d) => d.name === ref);
  if (named.length === 1) return named[0]!;
  const prefixed = active.filter((d) => d.id.startsWith(ref) || d.id.startsWith('d_' + ref));
  if (prefixed.length === 1) return prefixed[0]!;
  if (named.length + prefixed.length > 1)
    throw new CliError(
      `'${ref}' matches more than one device; use the full id (see baton devices)`,
      ExitCode.Usage,
    );
  throw new CliError(`no active device '${ref}' (see baton devices)`, ExitCode.Failed);
}
