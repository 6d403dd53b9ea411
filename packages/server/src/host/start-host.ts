import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PairingRedeemed } from '@baton/protocol';
import { createLogger, type LogFormat, type LogLevel } from '../logger.js';
import { ChildRegistry } from '../runners/child-processes/child-registry.js';
import { runnerMap } from '../runners/registry.js';
import type { RunnerFactory } from '../runners/runner.js';
import { DataDirLock } from '../storage/data-dir-lock.js';
import { HostAgent, hostLinkUrl } from './host-agent.js';
import { HostIdentity } from './host-identity.js';
import { HostSealing } from './host-sealing.js';
import { SNAPSHOT_EVERY_EVENTS, SNAPSHOT_QUIET_MS } from './sealed-snapshots.js';
import { defaultProjections } from '../projections/registry.js';
import { HostStartError } from './host-start-error.js';
import { HostState } from './host-state.js';

/** The file in a host's data directory that holds its credential on the relay (mode 0600). */
const TOKEN_FILE = 'host-token';

export interface HostOptions {
  /** The relay: http(s)://, ws(s):// or host:port. */
  relay: string;
  /** The host's own directory: its credential, working state, session directories and lock. */
  dataDir: string;
  /**
   * A pairing code of the relay's (made with owner role): redeemed once, for the credential the
   * host keeps in its data directory. Without it the kept credential is used.
   */
  code?: string;
  /** The name the host is listed under when it pairs (default: this machine's name). */
  name?: string;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  /**
   * Seal nothing (`baton host --plaintext`): the relay reads every session's content. For
   * trusted networks only (docs/security.md).
   */
  plaintext?: boolean;
  /**
   * Sealed sessions' snapshots (docs/protocol.md, "Sealed snapshots"): after this many
   * committed events (default 1000), and after the log was quiet this long (default 2000 ms).
   */
  snapshotEvery?: number;
  snapshotQuietMs?: number;
  /** Runner factories by kind; replaces the defaults of the same kind. */
  runners?: RunnerFactory[];
  /** Called when the relay refuses the host for good (revoked, other version). */
  onRefused?(reason: string): void;
  /** Called each time the relay welcomed the host. */
  onOnline?(hostId: string, name: string): void;
}

export interface RunningHost {
  /** The fingerprint of the host's signing key, as the relay lists it (`baton hosts`). */
  readonly keyFingerprint: string;
  /** Stops the link and every runner, and releases the data directory. */
  close(): Promise<void>;
}

export { HostStartError };

/**
 * Starts `baton host`: takes the data directory (one host per directory), ends what a crashed
 * predecessor left running, pairs with the relay when given a code, and opens the link.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const log = createLogger(options.logLevel ?? 'info', {}, undefined, options.logFormat ?? 'text');
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const url = hostLinkUrl(options.relay);
  const lock = DataDirLock.acquire(options.dataDir);
  try {
    // The identity first: a host that cannot keep its keys safe must not pair.
    const identity = await HostIdentity.load(options.dataDir);
    log.info('host identity', { keyFingerprint: identity.fingerprint });
    const token =
      options.code !== undefined
        ? await pair(options.relay, options.code, options.name, options.dataDir)
        : readToken(options.dataDir);
    const sealing = options.plaintext
      ? undefined
      : await HostSealing.load(options.dataDir, identity);
    if (!sealing) log.warn('sealing is off (--plaintext): the relay reads every session');
    const children = new ChildRegistry(options.dataDir, log);
    await children.reapOrphans();
    const agent = new HostAgent({
      url,
      token,
      identity,
      dataDir: options.dataDir,
      factories: runnerMap(options.runners),
      children,
      state: new HostState(options.dataDir, log),
      ...(sealing
        ? {
            sealing,
            snapshots: {
              projections: defaultProjections(),
              every: options.snapshotEvery ?? SNAPSHOT_EVERY_EVENTS,
              quietMs: options.snapshotQuietMs ?? SNAPSHOT_QUIET_MS,
            },
          }
        : {}),
      log,
      onRefused: (reason) => {
        log.error('the relay refused this host', { reason });
        options.onRefused?.(reason);
      },
      ...(options.onOnline ? { onOnline: options.onOnline } : {}),
    });
    agent.start();
    let closing: Promise<void> | undefined;
    return {
      keyFingerprint: identity.fingerprint,
      close: () =>
        (closing ??= agent.close().finally(() => {
          lock.release();
        })),
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

export function readToken(dataDir: string): string {
  try {
    const token = readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim();
    if (token) return token;
  } catch {
    // Reported below.
  }
  throw new HostStartError(
    `this host is not paired with a relay yet (no ${join(dataDir, TOKEN_FILE)}): run baton pair --role owner on the relay and start baton host with --code CODE`,
  );
}

/** Redeems an owner pairing code on the relay and keeps the credential it gives. */
async function pair(
  relay: string,
  code: string,
  name: string | undefined,
  dataDir: string,
): Promise<string> {
  const base = new URL(hostLinkUrl(relay));
  base.protocol = base.protocol === 'wss:' ? 'https:' : 'http:';
  base.pathname = '/api/pairings/redeem';
  const deviceName = name ?? (await import('node:os')).hostname();
  let res: Response;
  try {
    res = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, deviceName }),
    });
  } catch (err) {
    throw new HostStartError(`cannot reach the relay at ${base.origin}: ${(err as Error).message}`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const message =
      (body as { error?: { message?: string } } | undefined)?.error?.message ?? res.statusText;
    throw new HostStartError(`the relay refused the pairing code: ${message}`);
  }
  const redeemed = PairingRedeemed.safeParse(body);
  if (!redeemed.success) throw new HostStartError('the relay answered the pairing oddly');
  if (redeemed.data.role !== 'owner')
    throw new HostStartError(
      `a host needs an owner pairing code (baton pair --role owner); this one gave ${redeemed.data.role}`,
    );
  writeFileSync(join(dataDir, TOKEN_FILE), redeemed.data.deviceToken + '\n', { mode: 0o600 });
  return redeemed.data.deviceToken;
}
