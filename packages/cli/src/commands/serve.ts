import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  DataDirLockedError,
  installProcessGuard,
  startServer,
  TlsStartError,
  type LogLevel,
  type TlsOptions,
} from '@baton/server';
import { batonHome, DEFAULT_PORT } from '../cli-home.js';
import { CliError, ExitCode } from '../cli-error.js';
import { flagInt, flagString, type ParsedArgs } from '../parse-args.js';
import { isLoopbackHost } from '../loopback-host.js';
import { recordCurrentServer } from '../server-target.js';

/** The built web app shipped beside the CLI in this repository, if it has been built. */
function webRoot(): string | undefined {
  const dir = fileURLToPath(new URL('../../../../apps/web/dist', import.meta.url));
  return existsSync(dir + '/index.html') ? dir : undefined;
}

export async function serve(args: ParsedArgs): Promise<void> {
  const host = flagString(args, 'host') ?? '127.0.0.1';
  const port = flagInt(args, 'port', 0, 65535) ?? DEFAULT_PORT;
  const dataDir = flagString(args, 'data') ?? process.env['BATON_DATA'] ?? batonHome();
  const retention = flagInt(args, 'retention', 100, 100_000_000);
  const logLevel = (flagString(args, 'log-level') ??
    process.env['BATON_LOG'] ??
    'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    throw new CliError(`--log-level must be debug, info, warn, error or silent`, ExitCode.Usage);
  }
  const allowed = flagString(args, 'allow-origin');
  const durability = flagString(args, 'durability');
  if (durability !== undefined && durability !== 'normal' && durability !== 'full')
    throw new CliError(
      `--durability must be normal or full, not '${durability}'; see baton serve --help`,
      ExitCode.Usage,
    );
  const publicUrl = parsePublicUrl(flagString(args, 'public-url'));
  const tls = tlsOption(args);
  const token = process.env['BATON_TOKEN'];
  const web = webRoot();
  // Before anything starts: a stray throw or rejection from here on is logged, not fatal.
  installProcessGuard(createLogger(logLevel === 'silent' ? 'error' : logLevel));
  let server;
  try {
    server = await startServer({
      host,
      port,
      dataDir,
      logLevel,
      ...(token ? { ownerToken: token } : {}),
      ...(retention !== undefined ? { retentionEvents: retention } : {}),
      ...(durability !== undefined ? { durability } : {}),
      ...(allowed ? { allowedOrigins: allowed.split(',') } : {}),
      ...(publicUrl ? { publicUrl } : {}),
      ...(web ? { webRoot: web } : {}),
      ...(tls ? { tls } : {}),
    });
  } catch (err) {
    if (err instanceof DataDirLockedError) throw new CliError(err.message, ExitCode.Failed);
    if (err instanceof TlsStartError) throw new CliError(err.message, ExitCode.Failed);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      throw new CliError(
        `port ${port} on ${host} is in use; pick another with --port`,
        ExitCode.Failed,
      );
    if (e.code === 'EACCES')
      throw new CliError(
        `not allowed to listen on ${host}:${port}; pick a port above 1024`,
        ExitCode.Failed,
      );
    throw err;
  }
  recordCurrentServer(server.url, dataDir);
  // The owner token goes only into a loopback URL: the host's own browser signs in with it (the
  // web app accepts `#token=` on loopback only). Every other device pairs with `baton pair`.
  const everywhere = host === '0.0.0.0' || host === '::';
  if (everywhere || isLoopbackHost(host)) {
    const shown = everywhere
      ? server.url.replace(/\/\/[^:]+|\/\/\[.*\]/, '//127.0.0.1')
      : server.url;
    process.stdout.write(`baton is serving at ${shown}/#token=${server.ownerToken}\n`);
  } else {
    process.stdout.write(`baton is serving at ${server.url}\n`);
    process.stdout.write(
      `  ${host} is not loopback, so no sign-in URL: pair each browser, yours too, with 'baton pair' on this machine (--role owner for full control)\n`,
    );
  }
  if (!isLoopbackHost(host))
    process.stdout.write(`  other devices: run 'baton pair' and scan its QR code\n`);
  process.stdout.write(
    `  data: ${dataDir}${server.ownerTokenCreated ? ' (new owner token created)' : ''}\n`,
  );
  if (server.tlsFingerprint) {
    process.stdout.write(`  tls: ${server.tlsCertFile ?? ''}\n`);
    process.stdout.write(`  certificate SHA-256 fingerprint: ${server.tlsFingerprint}\n`);
    if (tls && 'selfSigned' in tls)
      process.stdout.write(
        `  self-signed: check the fingerprint on each device; CLI commands on this machine ` +
          `need NODE_EXTRA_CA_CERTS=${server.tlsCertFile ?? ''}\n`,
      );
  }
  if (!web) process.stdout.write(`  web app not built: run 'npm run build:web' to serve it at /\n`);
  process.stdout.write(`  stop with Ctrl-C\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write(`\n${signal}: stopping baton…\n`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`baton: shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await new Promise<never>(() => {});
}

/**
 * `--public-url`: the origin other devices reach this server at (behind a reverse proxy), used
 * in pairing links. Only an http(s) origin: the web app lives at the root of it.
 */
function parsePublicUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  )
    throw new CliError(
      `--public-url must be an http(s) origin such as https://baton.example.net, not '${value.slice(0, 100)}'`,
      ExitCode.Usage,
    );
  return url.origin;
}

/** `--tls` or `--tls-cert` with `--tls-key` (never both kinds, never one file alone). */
function tlsOption(args: ParsedArgs): TlsOptions | undefined {
  const selfSigned = args.flags.get('tls') === true;
  const certFile = flagString(args, 'tls-cert');
  const keyFile = flagString(args, 'tls-key');
  if (selfSigned && (certFile !== undefined || keyFile !== undefined))
    throw new CliError(
      `--tls makes a self-signed certificate; with --tls-cert/--tls-key give only those two; see baton serve --help`,
      ExitCode.Usage,
    );
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new CliError(
      `--tls-cert and --tls-key go together: give both the certificate and its key; see baton serve --help`,
      ExitCode.Usage,
    );
  if (selfSigned) return { selfSigned: true };
  return certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined;
}
