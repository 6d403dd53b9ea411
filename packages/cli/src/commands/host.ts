import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, ExitCode } from '../cli-error.js';
import { flagInt, flagString, type ParsedArgs } from '../parse-args.js';
import QRCode from 'qrcode';
import { loadServer } from './load-server.js';

const ROLES = ['viewer', 'editor', 'owner'] as const;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
const LOG_FORMATS = ['text', 'json'] as const;

/**
 * `baton host --relay URL`: runs this machine's shells and agents for a relay, over one outbound
 * link, until Ctrl-C or SIGTERM. Prints `host <name> is online at <relay>` each time the relay
 * welcomes it.
 */
export async function host(args: ParsedArgs): Promise<void> {
  const relay = flagString(args, 'relay') ?? process.env['BATON_RELAY'];
  if (!relay)
    throw new CliError('--relay URL is required: the relay this host works for', ExitCode.Usage);
  const sub = args.positionals[0];
  if (sub === 'pair') return hostPair(args, relay);
  if (sub !== undefined)
    throw new CliError(`unknown: baton host ${sub} (see baton host --help)`, ExitCode.Usage);
  const level = flagString(args, 'log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`, ExitCode.Usage);
  const format = flagString(args, 'log-format') ?? 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(format))
    throw new CliError(`--log-format must be text or json`, ExitCode.Usage);
  const dataDir = hostDataDir(args);
  const code = flagString(args, 'code');
  const name = flagString(args, 'name');
  const server = await loadServer();
  server.installProcessGuard(
    server.createLogger(
      level === 'silent' ? 'error' : (level as 'info'),
      {},
      undefined,
      format as 'text',
    ),
  );
  process.stdout.on('error', () => {});
  let running: Awaited<ReturnType<typeof server.startHost>>;
  let refused: (reason: string) => void = () => {};
  const refusal = new Promise<string>((resolve) => (refused = resolve));
  try {
    running = await server.startHost({
      relay,
      dataDir,
      ...(code !== undefined ? { code } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(args.flags.has('plaintext') ? { plaintext: true } : {}),
      logLevel: level as 'info',
      logFormat: format as 'text',
      onOnline: (_id, hostName) => process.stdout.write(`host ${hostName} is online at ${relay}\n`),
      onRefused: (reason) => refused(reason),
    });
  } catch (err) {
    if (err instanceof server.HostStartError || err instanceof server.DataDirLockedError)
      throw new CliError(err.message, ExitCode.Failed);
    if (err instanceof TypeError && /URL/i.test(err.message))
      throw new CliError(`--relay: ${err.message}`, ExitCode.Usage);
    throw err;
  }
  process.stdout.write(
    `baton host started (data: ${dataDir}); key fingerprint ${running.keyFingerprint}; stop with Ctrl-C\n`,
  );
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const why = await Promise.race([stopped, refusal.then((r) => `refused: ${r}`)]);
  await running.close();
  if (why.startsWith('refused: ')) throw new CliError(`the relay ${why}`, ExitCode.Failed);
}

function hostDataDir(args: ParsedArgs): string {
  return (
    flagString(args, 'data') ?? join(process.env['BATON_HOME'] ?? join(homedir(), '.baton'), 'host')
  );
}

/**
 * `baton host pair`: a link (and QR code) that pairs a device with this host by its keys
 * (docs/protocol.md, "Pairing a device with a host"). The running host takes the device's
 * introduction and wraps its session keys to it.
 */
async function hostPair(args: ParsedArgs, relay: string): Promise<void> {
  const role = flagString(args, 'role') ?? 'editor';
  if (!(ROLES as readonly string[]).includes(role))
    throw new CliError(`--role must be one of ${ROLES.join(', ')}`, ExitCode.Usage);
  const ttl = flagInt(args, 'ttl', 1, 300);
  const server = await loadServer();
  let pairing: Awaited<ReturnType<typeof server.pairDeviceWithHost>>;
  try {
    pairing = await server.pairDeviceWithHost({
      relay,
      dataDir: hostDataDir(args),
      role: role as (typeof ROLES)[number],
      ...(ttl !== undefined ? { ttlSeconds: ttl } : {}),
    });
  } catch (err) {
    if (err instanceof server.HostStartError) throw new CliError(err.message, ExitCode.Failed);
    throw err;
  }
  process.stdout.write(
    `Open this link on the device to pair it with this host (valid until ${new Date(pairing.expiresAt).toLocaleTimeString()}):\n${pairing.link}\n\n`,
  );
  process.stdout.write(
    await QRCode.toString(pairing.link, {
      type: 'terminal',
      small: true,
      errorCorrectionLevel: 'M',
    }),
  );
}
