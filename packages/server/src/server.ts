import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ACTION_ROLE, CloseCode, WEBSOCKET_PATH } from '@baton/protocol';
import { AuditLog } from './audit/audit-log.js';
import { AccessControl } from './auth/access-control.js';
import { ServerSettings } from './auth/server-settings.js';
import { Grants } from './auth/grants.js';
import { RedeemLimiter } from './auth/redeem-limiter.js';
import { DeviceRegistry } from './auth/device-registry.js';
import { secureDataDir } from './data-dir-modes.js';
import { SessionHub } from './hub/session-hub.js';
import { createApi } from './http/api-routes.js';
import { answerClientError, createRequestRouter } from './http/request-router.js';
import { createLogger } from './logger.js';
import { defaultProjections } from './projections/registry.js';
import { ChildRegistry } from './runners/child-processes/child-registry.js';
import { runnerMap } from './runners/registry.js';
import type { ServerOptions } from './server-options.js';
import { DataDirLock } from './storage/data-dir-lock.js';
import { SqliteStore } from './storage/sqlite-store.js';
import { ClientConnection } from './ws/client-connection.js';
import { UpgradeGuard } from './ws/upgrade-guard.js';

export interface RunningServer {
  /** http://HOST:PORT */
  url: string;
  /** ws://HOST:PORT/v1/ws */
  wsUrl: string;
  host: string;
  port: number;
  ownerToken: string;
  /** Whether the owner token was created by this start (first start on this data directory). */
  ownerTokenCreated: boolean;
  dataDir: string;
  hub: SessionHub;
  /** The audit log (for tests: `flush` writes what is queued). */
  audit: AuditLog;
  /** Stops accepting, says goodbye to every connection, checkpoints and stops every session. */
  close(): Promise<void>;
}

const VERSION = readVersion();

/**
 * Starts a baton server: the SQLite store in `dataDir`, the session hub, the HTTP API under
 * /api, the WebSocket endpoint at /v1/ws and, when `webRoot` is given, the web app at /.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const log = createLogger(options.logLevel ?? 'info');
  const maxFrameBytes = options.maxFrameBytes ?? 1024 * 1024;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  secureDataDir(options.dataDir, log);

  // Before the database is opened: a second server on this directory stops here.
  const lock = DataDirLock.acquire(options.dataDir);
  let store: SqliteStore;
  try {
    store = new SqliteStore(join(options.dataDir, 'baton.db'), {
      durability: options.durability ?? 'normal',
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  // A start that fails from here on closes what it opened and releases the lock, so that the
  // same process (a test, an embedding app) can start a server on this directory again.
  let loading: SessionHub | undefined;
  let opened: Awaited<ReturnType<typeof DeviceRegistry.open>>;
  let settings: ServerSettings;
  try {
    opened = await DeviceRegistry.open(store, options.dataDir, options.ownerToken);
    settings = await ServerSettings.open(store);
    // Before any session resumes: end what a crashed predecessor left running, so that no
    // conversation ever has two processes.
    const registry = opened.registry;
    const children = new ChildRegistry(options.dataDir, log);
    await children.reapOrphans();
    loading = new SessionHub({
      store,
      log,
      dataDir: options.dataDir,
      runners: runnerMap(options.runners),
      children,
      projections: defaultProjections(),
      retentionEvents: options.retentionEvents ?? 100_000,
      canSee: (deviceId, sessionId) => registry.roleOn(deviceId, sessionId) !== undefined,
      onDeleted: (sessionId) => registry.forgetSession(sessionId),
    });
    await loading.load();
  } catch (err) {
    await loading?.close().catch(() => {});
    await store.close().catch(() => {});
    lock.release();
    throw err;
  }
  const { registry: devices, ownerToken, created } = opened;
  const hub = loading;
  // Who may read the audit log is a setting the owner changes; every other action's least role
  // is fixed (ACTION_ROLE).
  const access = new AccessControl(
    devices,
    (sessionId) => hub.find(sessionId)?.control,
    (action) => (action === 'audit.read' ? settings.auditReadRole : ACTION_ROLE[action]),
  );

  const connections = new Set<ClientConnection>();
  /** Authenticated connections by id, for the audit log's modes. */
  const byConnectionId = new Map<string, ClientConnection>();
  const audit = new AuditLog({
    store,
    devices,
    log,
    modeOf: (connectionId) => byConnectionId.get(connectionId)?.mode,
    retentionDays: options.auditRetentionDays ?? 365,
  });
  const ofDevice = (deviceId: string): ClientConnection[] =>
    [...connections].filter((c) => c.deviceId === deviceId);
  /** Connections whose `hello` has not been accepted yet; capped by maxPendingConnections. */
  const pending = new Set<ClientConnection>();
  const maxPending = options.maxPendingConnections ?? 2048;
  const startedAt = Date.now();
  const api = createApi({
    hub,
    log,
    devices,
    access,
    grants: new Grants(store),
    redeemLimiter: new RedeemLimiter(),
    listenHost: host,
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    maxBodyBytes: options.maxBodyBytes ?? maxFrameBytes,
    startedAt,
    version: VERSION,
    storeState: () => hub.storeHealth.state,
    audit,
    settings,
    onDeviceRevoked: (deviceId) => {
      for (const c of ofDevice(deviceId)) c.close(CloseCode.DeviceRevoked, 'device revoked');
    },
    onDeviceChanged: (deviceId) => {
      for (const c of ofDevice(deviceId)) c.deviceChanged();
    },
    liveModes: (deviceId) =>
      ofDevice(deviceId).flatMap((c) => (c.mode === undefined ? [] : [c.mode])),
  });

  const server: Server = createServer(createRequestRouter({ api, webRoot: options.webRoot, log }));
  // Slow senders (slowloris) cannot hold a request open for long.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.on('clientError', answerClientError);

  // ws enforces a hard cap far above maxFrameBytes, so frames between the two get a clear
  // `frame_too_large` error instead of a dropped connection.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Math.max(maxFrameBytes * 4, 16 * 1024 * 1024),
  });
  const guard = new UpgradeGuard({ boundHost: host, allowedOrigins: options.allowedOrigins ?? [] });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Errors on a socket that is not yet a WebSocket would otherwise be unhandled 'error' events.
    socket.on('error', () => socket.destroy());
    if (!guard.admit(req, socket)) return;
    try {
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new ClientConnection(ws, {
          hub,
          devices,
          access,
          audit,
          log,
          heartbeatMs,
          maxFrameBytes,
          preHelloMaxBytes: options.preHelloMaxBytes ?? 8 * 1024,
          helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
          rateLimit: options.rateLimit ?? { perSecond: 5_000, burst: 10_000 },
          socket,
          onAuthenticated: (c) => {
            pending.delete(c);
            byConnectionId.set(c.connectionId, c);
          },
          onClose: (c) => {
            pending.delete(c);
            connections.delete(c);
            // Kept a moment longer: a keystroke burst of this connection, ended later, still
            // finds its mode. The map only drops entries; it never outgrows the open connections
            // by more than those closed in the last minute.
            setTimeout(() => byConnectionId.delete(c.connectionId), 60_000).unref();
          },
        });
        connections.add(conn);
        if (pending.size >= maxPending) {
          log.warn('refusing a WebSocket: too many connections waiting for hello', {
            pending: pending.size,
          });
          conn.close(
            CloseCode.TryAgainLater,
            `more than ${maxPending} connections are waiting for hello; retry later`,
          );
          return;
        }
        pending.add(conn);
      });
    } catch (err) {
      log.warn('a WebSocket upgrade failed', { error: (err as Error).message });
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7777, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await audit.close();
    await hub.close();
    await store.close();
    lock.release();
    throw err;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 7777);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  lock.recordUrl(`http://${urlHost}:${port}`);

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    wsUrl: `ws://${urlHost}:${port}${WEBSOCKET_PATH}`,
    host,
    port,
    ownerToken,
    ownerTokenCreated: created,
    dataDir: options.dataDir,
    hub,
    audit,
    close: () => {
      closing ??= (async () => {
        for (const c of connections) c.close(CloseCode.GoingAway, 'server shutting down');
        await new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        wss.close();
        await hub.close();
        await audit.close();
        await store.close();
        lock.release();
      })();
      return closing;
    },
  };
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}
