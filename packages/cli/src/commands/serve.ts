import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, ExitCode } from '../cli-error.js';
import { resolveSettings } from '../config/resolve-settings.js';
import { serverOptionsFromSettings } from '../config/server-options-from-settings.js';
import { isLoopbackHost } from '../loopback-host.js';
import { loadServer } from './load-server.js';
import type { ParsedArgs } from '../parse-args.js';
import { recordCurrentServer } from '../server-target.js';
import { serveDetached } from './serve-detached.js';

/**
 * Where the built web app may be, relative to this file: `web/` beside `dist/` in the installable
 * package (packages/baton bundles this file into dist/), else apps/web/dist in this repository
 * (packages/cli/dist/commands/serve.js), if it has been built.
 */
const WEB_ROOTS = ['../web', '../../../../apps/web/dist'];

function webRoot(): string | undefined {
  for (const candidate of WEB_ROOTS) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(dir + '/index.html')) return dir;
  }
  return undefined;
}

/** `baton serve`, or with `relay` `baton relay` (every session runs on a host). */
export async function serve(args: ParsedArgs, mode: { relay?: boolean } = {}): Promise<void> {
  // Default < config file < environment < flag; every bad value is refused before anything starts.
  const settings = resolveSettings(args);
  if (mode.relay && settings.cluster) {
    // A host keeps one link to one relay process, and its sessions' remote runners live there;
    // routing host links across nodes is not built.
    throw new CliError(
      'relay: a relay runs as one node for now; drop --cluster (its store may still be PostgreSQL)',
      ExitCode.Usage,
    );
  }
  if (args.flags.has('detach') && !mode.relay) return serveDetached(args, settings);
  const { host, port } = settings;
  const dataDir = settings.data;
  const web = webRoot();
  const serverModule = await loadServer();
  const {
    createLogger,
    DataDirLockedError,
    installProcessGuard,
    startServer,
    StoreOpenError,
    TlsStartError,
  } = serverModule;
  // Before anything starts: a stray throw or rejection from here on is logged, not fatal.
  const level = settings.log.level;
  installProcessGuard(
    createLogger(level === 'silent' ? 'error' : level, {}, undefined, settings.log.format),
  );
  let server;
  try {
    server = await startServer({
      ...serverOptionsFromSettings(settings, serverModule),
      ...(web ? { webRoot: web } : {}),
      ...(mode.relay ? { relay: true } : {}),
    });
  } catch (err) {
    if (err instanceof DataDirLockedError) throw new CliError(err.message, ExitCode.Failed);
    if (err instanceof TlsStartError) throw new CliError(err.message, ExitCode.Failed);
    if (err instanceof StoreOpenError) throw new CliError(err.message, ExitCode.Failed);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      throw new CliError(
        `port ${port} on ${host} is in use; pick another with --port`,
        ExitCode.Failed,
      );
    if (e.code === 'EACCES' && e.syscall === 'listen')
      throw new CliError(
        `not allowed to listen on ${host}:${port}; pick a port above 1024`,
        ExitCode.Failed,
      );
    const refusal = startRefusal(e, host, dataDir);
    if (refusal !== undefined) throw new CliError(refusal, ExitCode.Failed);
    throw err;
  }
  recordCurrentServer(server.url, dataDir);
  // The banner and the stop line go to stdout. Once its reader has gone (`baton serve | head`, a
  // closed terminal), a write fails with EPIPE; unheard, that is an uncaught exception in a
  // server that must keep running and stop cleanly. What cannot be written is dropped.
  process.stdout.on('error', () => {});
  // The owner token goes only into a loopback URL: the host's own browser signs in with it (the
  // web app accepts `#token=` on loopback only). Every other device pairs with `baton pair`.
  const everywhere = host === '0.0.0.0' || host === '::';
  if (everywhere || isLoopbackHost(host)) {
    const shown = everywhere
      ? server.url.replace(/\/\/[^:]+|\/\/\[.*\]/, '//127.0.0.1')
      : server.url;
    // Under systemd, stdout is the journal (JOURNAL_STREAM is set): the token stays out of it.
    if (process.env['JOURNAL_STREAM'])
      process.stdout.write(`baton is serving at ${shown} (sign-in URL: baton service status)\n`);
    else process.stdout.write(`baton is serving at ${shown}/#token=${server.ownerToken}\n`);
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
  if (settings.configFile.exists) process.stdout.write(`  config: ${settings.configFile.path}\n`);
  if (server.tlsFingerprint) {
    process.stdout.write(`  tls: ${server.tlsCertFile ?? ''}\n`);
    process.stdout.write(`  certificate SHA-256 fingerprint: ${server.tlsFingerprint}\n`);
    if (settings.tls && 'selfSigned' in settings.tls)
      process.stdout.write(
        `  self-signed: check the fingerprint on each device; CLI commands on this machine ` +
          `need NODE_EXTRA_CA_CERTS=${server.tlsCertFile ?? ''}\n`,
      );
  }
  if (mode.relay)
    process.stdout.write(
      `  relay: sessions run on hosts; pair one with 'baton pair --role owner', then on the host: baton host --relay ${server.url} --code CODE\n`,
    );
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
 * One line for the ways a start fails on this machine's own state (an address it does not have,
 * a damaged database, a file where a directory belongs): what is wrong and what to do, instead
 * of a stack trace. Undefined for anything else, which stays an unexpected error.
 */
function startRefusal(e: NodeJS.ErrnoException, host: string, dataDir: string): string | undefined {
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
    return `--host ${host} is not an address this machine can resolve; give one of its own addresses, 127.0.0.1, or 0.0.0.0 for every interface`;
  if (e.code === 'EADDRNOTAVAIL')
    return `${host} is not an address of this machine; give one of its own addresses (ip addr lists them), 127.0.0.1, or 0.0.0.0 for every interface`;
  if (e.code === 'SQLITE_CORRUPT' || e.code === 'SQLITE_NOTADB')
    return `the database in ${dataDir} is damaged (${e.message}); restore baton.db from a backup (docs/operations.md, "Backups"), or move it away to start with an empty one`;
  const what: Record<string, string> = {
    EISDIR: 'is a directory where baton needs a file',
    ENOTDIR: 'has a file where baton needs a directory',
    EEXIST: 'has a file where baton needs a directory',
    EACCES: 'is not accessible to this user',
    EPERM: 'is not accessible to this user',
    EROFS: 'is on a read-only file system',
    ENOSPC: 'is on a full disk',
  };
  const problem = e.code !== undefined ? what[e.code] : undefined;
  if (problem === undefined || e.path === undefined) return undefined;
  return `${e.path} ${problem} (${e.code}); fix or move it, or give another data directory with --data`;
}
