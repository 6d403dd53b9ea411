import { hostname } from 'node:os';
import { addHostByLink, BatonError, pairWithHost } from '@baton/client';
import { FileSealingStore } from '@baton/client/node';
import { stripUnprintable } from '@baton/protocol';
import { CliError, ExitCode } from '../cli-error.js';
import { deviceKeysFor, deviceKeysPath } from '../device-keys.js';
import { flagString, type ParsedArgs } from '../parse-args.js';
import { rememberDevice, rememberedDevice } from '../server-target.js';

/**
 * `baton join <link>`: pairs this machine's CLI with a host through its relay, from the link
 * `baton host pair` printed there. The host's keys come from the link itself; this CLI's own
 * keys are made here and never leave it (0600 file under the CLI's home); its token for the
 * relay is kept beside its other credentials.
 *
 * A CLI that is already a device of that relay (it joined another host there, or was paired by
 * code) stays that device and adds the host: one device, one key file and one token per relay,
 * whatever the number of hosts behind it.
 */
export async function join(args: ParsedArgs): Promise<void> {
  const link = args.positionals[0];
  if (!link) {
    throw new CliError(
      'baton join <link>: the link baton host pair printed on the host (quote it: it has a #)',
      ExitCode.Usage,
    );
  }
  let origin: string;
  try {
    origin = new URL(link).origin;
  } catch {
    throw new CliError(
      'that is not a link: copy the whole link baton host pair printed (quote it in the shell)',
      ExitCode.Usage,
    );
  }
  const device = rememberedDevice(origin);
  if (device) {
    const store = deviceKeysFor(origin) ?? new FileSealingStore(deviceKeysPath(origin));
    const added = await failingAs('could not add the host', () =>
      addHostByLink(link, { store, deviceId: device.deviceId, token: device.token }),
    );
    process.stdout.write(
      `added host ${stripUnprintable(added.hostId)} at ${origin} to this device, ${device.deviceId}\n` +
        `  keys   ${store.path} (only you can read it)\n` +
        `The host adds this device when it is online; then its sessions open here:\n` +
        `  baton ls --url ${origin}\n`,
    );
    return;
  }
  if (deviceKeysFor(origin)) {
    throw new CliError(
      `keys for ${origin} are in ${deviceKeysPath(origin)} but this CLI has no token for it: move that file away to join again as a new device`,
      ExitCode.Failed,
    );
  }
  const name = flagString(args, 'name') ?? `cli on ${hostname()}`;
  const store = new FileSealingStore(deviceKeysPath(origin));
  const paired = await failingAs('could not join', () => pairWithHost(link, { store, name }));
  rememberDevice(origin, paired.deviceId, paired.token);
  process.stdout.write(
    `joined host ${stripUnprintable(paired.hostId)} at ${origin} as ${paired.deviceId} (${stripUnprintable(name)})\n` +
      `  keys   ${store.path} (only you can read it)\n` +
      `The host adds this device when it is online; then its sessions open here:\n` +
      `  baton ls --url ${origin}\n`,
  );
}

/** `run`, with its failure as a CliError that starts with `what`. */
async function failingAs<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code =
      error instanceof BatonError && error.code === 'disconnected'
        ? ExitCode.Unreachable
        : ExitCode.Failed;
    throw new CliError(`${what}: ${message}`, code);
  }
}
