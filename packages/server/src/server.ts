import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import {
  ACTION_ROLE,
  CloseCode,
  HOST_LINK_PATH,
  HostLinkClose,
  WEBSOCKET_PATH,
} from '@baton/protocol';
import { AuditLog } from './audit/audit-log.js';
import { AccessControl } from './auth/access-control.js';
import { ServerSettings } from './auth/server-settings.js';
import { Grants } from './auth/grants.js';
import { RedeemLimiter } from './auth/redeem-limiter.js';
import { DeviceRegistry } from './auth/device-registry.js';
import { secureDataDir } from './data-dir-modes.js';
import { SessionHub } from './hub/session-hub.js';
import { createApi } from './http/api-routes.js';
import { answerClientError, answerConnect, createRequestRouter } from './http/request-router.js';
import { createLogger } from './logger.js';
import { instrumentRunners } from './observability/instrument-runners.js';
import { instrumentStore } from './observability/instrument-store.js';
import { createMetricsRoute } from './observability/metrics-route.js';
import { ServerMetrics } from './observability/server-metrics.js';
import { defaultProjections } from './projections/registry.js';
import { ChildRegistry } from './runners/child-processes/child-registry.js';
import { runnerMap } from './runners/registry.js';
import type { ServerOptions } from './server-options.js';
import { DataDirLock } from './storage/data-dir-lock.js';
import { openStore } from './storage/open-store.js';
import type { PgStore } from './storage/pg-store.js';
import { ClusterNode } from './cluster/cluster-node.js';
import { newNodeId } from './cluster/node-identity.js';
import type { Store } from './storage/store.js';
import { DEFAULT_MAX_ATTACHMENT_BYTES } from './attachments/read-upload.js';
import { ClientConnection } from './ws/client-connection.js';
import { UpgradeGuard } from './ws/upgrade-guard.js';
import { loadTls } from './tls/load-tls.js';
import { TlsRenewer } from './tls/tls-renewer.js';
import type { TlsMaterial } from './tls/tls-options.js';
import { PushNotifier } from './push/push-notifier.js';
import { acceptHostLink } from './relay/accept-host-link.js';
import { forgetOnHosts } from './relay/deleted-sessions.js';
import { HostDirectory } from './relay/host-directory.js';
import { RelaySealing } from './relay/relay-sealing.js';
import { OutLedger } from './relay/out-ledger.js';
import { relayRunners } from './relay/relay-runners.js';
import { parseRequestTarget } from './http/request-target.js';
import { PushSubscriptions } from './push/push-subscriptions.js';
import { loadVapidKeys } from './push/vapid-keys.js';

export interface RunningServer {
  /** http://HOST:PORT, or https://HOST:PORT with `tls` */
  url: string;
  /** ws://HOST:PORT/v1/ws, or wss://… with `tls` */
  wsUrl: string;
  /**
   * With `tls`: the SHA-256 fingerprint of the certificate served now, as uppercase hex pairs
   * joined by ':' (what `openssl x509 -fingerprint -sha256` prints after the '='). It changes
   * when a self-signed certificate is renewed while the server runs.
   */
  readonly tlsFingerprint?: string | undefined;
  /** With `tls`: the certificate file served (for a self-signed one, inside the data directory). */
  readonly tlsCertFile?: string | undefined;
  host: string;
  port: number;
  ownerToken: string;
  /** Whether the owner token was created by this start (first start on this data directory). */
  ownerTokenCreated: boolean;
  dataDir: string;
  hub: SessionHub;
  /** The Prometheus metrics served at /metrics (other features count into it too). */
  metrics: ServerMetrics;
  /**
   * Resolves once every push notification started so far was answered or failed (at once when
   * push is off). A client that saw an event may await it to know every notification the
   * event caused has reached its push service.
   */
  pushIdle(): Promise<void>;
  /** The audit log (for tests: `flush` writes what is queued). */
  audit: AuditLog;
  /** Stops accepting, says goodbye to every connection, checkpoints and stops every session. */
  close(): Promise<void>;
}

const VERSION = readVersion();

/**
 * Starts a baton server: the store (SQLite in `dataDir`, or PostgreSQL), the session hub, the HTTP API under
 * /api, the WebSocket endpoint at /v1/ws and, when `webRoot` is given, the web app at /.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const log = createLogger(
    options.logLevel ?? 'info',
    {},
    options.logSink,
    options.logFormat ?? 'text',
  );
  const metrics = new ServerMetrics();
  const maxFrameBytes = options.maxFrameBytes ?? 1024 * 1024;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  secureDataDir(options.dataDir, log);
  if (options.relay && options.cluster) {
    // Host links are held by one process; routing them across nodes is not built.
    throw new Error('a relay runs as one node: relay and cluster cannot be combined');
  }

  // Before the database is opened: a second server on this directory stops here.
  const lock = DataDirLock.acquire(options.dataDir);
  let store: Store;
  let storeDescription: string;
  let tls: TlsMaterial | undefined;
  try {
    // Before the database: a bad certificate or key stops the start with one clear error.
    if (options.tls) tls = await loadTls(options.tls, options.dataDir, host, log);
    ({ store, description: storeDescription } = await openStore({
      store: options.store,
      dataDir: options.dataDir,
      durability: options.durability ?? 'normal',
      log,
      ...(options.cluster ? { sharedSchema: true } : {}),
    }));
  } catch (err) {
    lock.release();
    throw err;
  }
  // A start that fails from here on closes what it opened and releases the lock, so that the
  // same process (a test, an embedding app) can start a server on this directory again.
  let loading: SessionHub | undefined;
  let opened: Awaited<ReturnType<typeof DeviceRegistry.open>>;
  let push: { publicKey: string; subscriptions: PushSubscriptions } | undefined;
  let notifier: PushNotifier | undefined;
  let settings: ServerSettings;
  let hosts: HostDirectory | undefined;
  let sealing: RelaySealing | undefined;
  let cluster: ClusterNode | undefined;
  try {
    // A relay runs every session on a host (docs/relay.md): its runners are remote ones.
    if (options.relay) {
      hosts = await HostDirectory.open(store, log);
      sealing = await RelaySealing.open(store, log);
    }
    opened = await DeviceRegistry.open(store, options.dataDir, options.ownerToken);
    settings = await ServerSettings.open(store);
    if (options.push?.enabled ?? true) {
      const vapid = loadVapidKeys(options.dataDir, log);
      const subscriptions = await PushSubscriptions.open(store);
      push = { publicKey: vapid.publicKey, subscriptions };
      const registry = opened.registry;
      notifier = new PushNotifier({
        subscriptions,
        vapid,
        subject: options.push?.subject ?? 'mailto:baton@localhost.invalid',
        ...(options.push?.ca !== undefined ? { ca: options.push.ca } : {}),
        roleOn: (deviceId, sessionId) => registry.roleOn(deviceId, sessionId),
        // The hub exists before the first commit: load() below is what commits first.
        isLooking: (deviceId, sessionId) => loading?.isLooking(deviceId, sessionId) ?? false,
        log,
        onPushSent: (sent) => {
          // Counted when the push service accepted it (201); other answers are logged there.
          if (sent.status >= 200 && sent.status < 300) metrics.pushSent.inc();
          options.onPushSent?.(sent);
        },
      });
    }
    // Before any session resumes: end what a crashed predecessor left running, so that no
    // conversation ever has two processes.
    const registry = opened.registry;
    const children = new ChildRegistry(options.dataDir, log);
    await children.reapOrphans();
    loading = new SessionHub({
      store: instrumentStore(store, metrics),
      log,
      dataDir: options.dataDir,
      runners: instrumentRunners(
        runnerMap(
          hosts
            ? relayRunners({ directory: hosts, ledger: new OutLedger(store), log })
            : options.runners,
        ),
        metrics,
      ),
      children,
      projections: defaultProjections(),
      retentionEvents: options.retentionEvents ?? 100_000,
      canSee: (deviceId, sessionId) => registry.roleOn(deviceId, sessionId) !== undefined,
      onDeleted: (sessionId) => {
        registry.forgetSession(sessionId);
        if (hosts) forgetOnHosts(hosts, sessionId, log);
      },
      deviceName: (deviceId) => registry.nameOf(deviceId),
      ...(notifier ? { onCommitted: notifier.onCommitted.bind(notifier) } : {}),
      ...(hosts ? { describeHost: hosts.describe.bind(hosts) } : {}),
      ...(sealing ? { sealing } : {}),
    });
    const loaded = loading;
    hosts?.onChange((hostId) => loaded.hostChanged(hostId));
    // A new roster or key epoch: clients refetch keys (`sessions.changed` upserts).
    sealing?.onChange((hostId) => loaded.hostChanged(hostId));
    if (options.cluster) {
      // Many nodes: before load, so every session starts out followed, not owned.
      const pgStore = store as PgStore;
      cluster = new ClusterNode(
        { bus: pgStore.clusterBus(), leases: pgStore, store: loading.storeForCluster, log },
        {
          ...options.cluster,
          nodeId: options.cluster.nodeId ?? newNodeId(),
          // Devices paired or revoked on another node.
          onPoll: () => registry.refresh(),
        },
      );
      const host = loading.attachCluster(cluster);
      await loading.load();
      await cluster.start(host);
    } else {
      await loading.load();
    }
  } catch (err) {
    await cluster?.close().catch(() => {});
    notifier?.close();
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
    get tlsFingerprint() {
      return renewer?.current.fingerprint;
    },
    ...(push ? { push } : {}),
    ...(hosts ? { hosts } : {}),
    ...(sealing ? { sealing } : {}),
    onIntroduction: (hostId: string) => {
      const link = hosts?.link(hostId);
      if (link) sealing?.deliver(link, (id) => devices.current(id) === undefined);
    },
    hub,
    log,
    devices,
    access,
    grants: new Grants(store),
    redeemLimiter: new RedeemLimiter(),
    listenHost: host,
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    maxBodyBytes: options.maxBodyBytes ?? maxFrameBytes,
    attachments: {
      store,
      maxBytes: options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES,
    },
    startedAt,
    version: VERSION,
    storeState: () => hub.storeHealth.state,
    connectionCount: () => connections.size,
    ...(cluster ? { clusterState: () => cluster!.health() } : {}),
    audit,
    settings,
    onDeviceRevoked: (deviceId) => {
      for (const c of ofDevice(deviceId)) c.close(CloseCode.DeviceRevoked, 'device revoked');
      // A revoked host's link closes as unauthorized: the host stops instead of reconnecting.
      hosts?.link(deviceId)?.close(HostLinkClose.Unauthorized, 'this host was revoked');
      // Every sealing host that paired the device revokes it and rotates its session keys.
      const relaySealing = sealing;
      if (hosts && relaySealing)
        for (const h of hosts.list())
          if (h.online)
            relaySealing.deliver(hosts.link(h.id)!, (id) => devices.current(id) === undefined);
      push?.subscriptions.forgetDevice(deviceId).catch((err: unknown) =>
        log.warn('could not drop the push subscriptions of a revoked device', {
          device: deviceId,
          error: (err as Error).message,
        }),
      );
    },
    onDeviceChanged: (deviceId) => {
      for (const c of ofDevice(deviceId)) c.deviceChanged();
    },
    liveModes: (deviceId) =>
      ofDevice(deviceId).flatMap((c) => (c.mode === undefined ? [] : [c.mode])),
  });

  metrics.observe({
    connections: () => connections,
    sessions: () => hub.list(),
    storeWritable: () => hub.storeHealth.state.state === 'ok',
  });
  const router = createRequestRouter({
    api,
    webRoot: options.webRoot,
    log,
    metrics: createMetricsRoute({ metrics, devices, public: options.metrics?.public ?? false }),
  });
  // HTTPS and WSS share the port exactly as HTTP and WS do: the upgrade handler below is the same.
  const server: Server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key, requireHostHeader: false }, router)
    : createServer({ requireHostHeader: false }, router);
  // Counted when the answer is complete, whichever route (or refusal) wrote it.
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.once('finish', () => metrics.httpRequests.inc({ code: String(res.statusCode) }));
  });
  const renewer =
    tls && options.tls
      ? new TlsRenewer(tls, options.tls, options.dataDir, host, log, (next) =>
          (server as ReturnType<typeof createHttpsServer>).setSecureContext({
            cert: next.cert,
            key: next.key,
          }),
        )
      : undefined;
  // Slow senders (slowloris) cannot hold a request open for long.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.on('clientError', answerClientError);
  server.on('connect', answerConnect);

  // ws enforces a hard cap far above maxFrameBytes, so frames between the two get a clear
  // `frame_too_large` error instead of a dropped connection.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Math.max(maxFrameBytes * 4, 16 * 1024 * 1024),
  });
  const guard = new UpgradeGuard({
    boundHost: host,
    allowedOrigins: options.allowedOrigins ?? [],
    secure: tls !== undefined,
    ...(hosts ? { extraPaths: [HOST_LINK_PATH] } : {}),
  });
  /** Set once `close` began: from then on no WebSocket is accepted. */
  let closing: Promise<void> | undefined;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Errors on a socket that is not yet a WebSocket would otherwise be unhandled 'error' events.
    socket.on('error', () => socket.destroy());
    // An upgrade that arrives on a connection opened before the close (its request was still on
    // the way) would become a WebSocket that the close never ends, and `server.close` waits for
    // every connection: the shutdown would hang for as long as that client stays.
    if (closing) {
      socket.destroy();
      return;
    }
    if (!guard.admit(req, socket)) return;
    if (hosts && isHostLinkPath(req.url)) {
      const directory = hosts;
      try {
        wss.handleUpgrade(req, socket, head, (ws) =>
          acceptHostLink(ws, {
            directory,
            devices,
            log,
            heartbeatMs,
            ...(sealing ? { sealing } : {}),
            sessionGone: async (id) => (await store.getSession(id)) === undefined,
          }),
        );
      } catch (err) {
        log.warn('a host link upgrade failed', { error: (err as Error).message });
        socket.destroy();
      }
      return;
    }
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
          metrics,
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
  const scheme = tls ? 'https' : 'http';
  lock.recordUrl(`${scheme}://${urlHost}:${port}`);
  renewer?.start();
  log.info('listening', {
    url: `${scheme}://${urlHost}:${port}`,
    dataDir: options.dataDir,
    store: storeDescription,
    durability: options.durability ?? 'normal',
    sessions: hub.list().length,
  });

  return {
    url: `${scheme}://${urlHost}:${port}`,
    wsUrl: `${tls ? 'wss' : 'ws'}://${urlHost}:${port}${WEBSOCKET_PATH}`,
    get tlsFingerprint() {
      return renewer?.current.fingerprint;
    },
    get tlsCertFile() {
      return renewer?.current.certFile;
    },
    host,
    port,
    ownerToken,
    ownerTokenCreated: created,
    dataDir: options.dataDir,
    hub,
    metrics,
    pushIdle: () => notifier?.idle() ?? Promise.resolve(),
    audit,
    close: () => {
      closing ??= (async () => {
        renewer?.stop();
        notifier?.close();
        for (const c of connections) c.close(CloseCode.GoingAway, 'server shutting down');
        hosts?.closeAll();
        // `server.close` waits for every connection. What is still open after a grace (a
        // request still sending its body or reading a download, a client or host that does not
        // answer the close, a host whose hello came after `closeAll`) is cut, so a shutdown
        // takes at most that long.
        const cut = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
          server.closeAllConnections();
        }, CLOSE_GRACE_MS);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        clearTimeout(cut);
        server.closeAllConnections();
        wss.close();
        await cluster?.halt();
        await hub.close();
        await cluster?.close();
        await audit.close();
        await store.close();
        lock.release();
        log.info('stopped');
      })();
      return closing;
    },
  };
}

/** How long a shutdown waits for open connections to finish before it cuts them. */
const CLOSE_GRACE_MS = 2000;

function isHostLinkPath(url: string | undefined): boolean {
  try {
    return parseRequestTarget(url).rawPath === HOST_LINK_PATH;
  } catch {
    return false;
  }
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
