import { hostname } from 'node:os';
import { BatonError, pairWithHost } from '@baton/client';
import { FileSealingStore } from '@baton/client/node';
import { stripUnprintable } from '@baton/protocol';
import { CliError, ExitCode } from '../cli-error.js';
import { deviceKeysFor, deviceKeysPath } from '../device-keys.js';
import { flagString, type ParsedArgs } from '../parse-args.js';
import { rememberDevice } from '../server-target.js';

/**
 * `baton join <link>`: pairs this machine's CLI with a host through its relay, from the link
 * `baton host pair` printed there. The host's keys come from the link itself; this CLI's own
 * keys are made here and never leave it (0600 file under the CLI's home); its token for the
 * relay is kept beside its other credentials.
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
  if (deviceKeysFor(origin)) {
    throw new CliError(
      `this CLI already joined a host at ${origin} (keys in ${deviceKeysPath(origin)}); move that file away to join again as a new device`,
      ExitCode.Failed,
    );
  }
  const name = flagString(args, 'name') ?? `cli on ${hostname()}`;
  const store = new FileSealingStore(deviceKeysPath(origin));
  let paired;
  try {
    paired = await pairWithHost(link, { store, name });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code =
      error instanceof BatonError && error.code === 'disconnected'
        ? ExitCode.Unreachable
        : ExitCode.Failed;
    throw new CliError(`could not join: ${message}`, code);
  }
  rememberDevice(origin, paired.deviceId, paired.token);
  process.stdout.write(
    `joined host ${stripUnprintable(paired.hostId)} at ${origin} as ${paired.deviceId} (${stripUnprintable(name)})\n` +
      `  keys   ${store.path} (only you can read it)\n` +
      `The host adds this device when it is online; then its sessions open here:\n` +
      `  baton ls --url ${origin}\n`,
  );
}
