import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode, WEBSOCKET_PATH } from '@baton/protocol';
import { DeviceRegistry } from './auth/device-registry.js';
import { SessionHub } from './hub/session-hub.js';
import { createApi } from './http/api-routes.js';
import { sendError } from './http/json-response.js';
import { serveStatic } from './http/static-files.js';
import { createLogger } from './logger.js';
import { defaultProjections } from './projections/registry.js';
import { runnerMap } from './runners/registry.js';
import type { ServerOptions } from './server-options.js';
import { SqliteStore } from './storage/sqlite-store.js';
import { ClientConnection } from './ws/client-connection.js';

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
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });

  const store = new SqliteStore(join(options.dataDir, 'baton.db'), {
    durability: options.durability ?? 'normal',
  });
  const {
    registry: devices,
    ownerToken,
    created,
  } = await DeviceRegistry.open(store, options.dataDir, options.ownerToken);
  const hub = new SessionHub({
    store,
    log,
    dataDir: options.dataDir,
    runners: runnerMap(options.runners),
    projections: defaultProjections(),
    retentionEvents: options.retentionEvents ?? 100_000,
  });
  await hub.load();

  const connections = new Set<ClientConnection>();
  const startedAt = Date.now();
  const api = createApi({
    hub,
    devices,
    maxBodyBytes: maxFrameBytes,
    startedAt,
    version: VERSION,
    onDeviceRevoked: (deviceId) => {
      for (const c of connections)
        if (c.deviceId === deviceId) c.close(CloseCode.DeviceRevoked, 'device revoked');
    },
  });

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/api/') || path === '/api') {
      void api(req, res);
      return;
    }
    if (
      options.webRoot &&
      (req.method === 'GET' || req.method === 'HEAD') &&
      serveStatic(options.webRoot, req, res)
    ) {
      return;
    }
    sendError(
      res,
      'not_found',
      options.webRoot ? `nothing at ${path}` : `nothing at ${path}; the API is under /api`,
    );
  });

  // ws enforces a hard cap far above maxFrameBytes, so frames between the two get a clear
  // `frame_too_large` error instead of a dropped connection.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Math.max(maxFrameBytes * 4, 16 * 1024 * 1024),
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== WEBSOCKET_PATH) {
      socket.end(
        'HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\n\r\nthe WebSocket endpoint is ' +
          WEBSOCKET_PATH +
          '\n',
      );
      return;
    }
    if (!originAllowed(req, options.allowedOrigins ?? [])) {
      socket.end(
        'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\norigin not allowed; start baton serve with --allow-origin\n',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new ClientConnection(ws, {
        hub,
        devices,
        log,
        heartbeatMs,
        maxFrameBytes,
        onClose: (c) => connections.delete(c),
      });
      connections.add(conn);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7777, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 7777);
  const urlHost = host.includes(':') ? `[${host}]` : host;

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
    close: () => {
      closing ??= (async () => {
        for (const c of connections) c.close(CloseCode.GoingAway, 'server shutting down');
        await new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        wss.close();
        await hub.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/**
 * Browsers always send Origin; other clients usually do not. Same-origin pages (the web app),
 * loopback pages and explicitly allowed origins may connect; any other site may not, so a page
 * on the internet cannot drive a local baton through the user's browser.
 */
function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed.includes(origin) || allowed.includes('*')) return true;
  try {
    const o = new URL(origin);
    if (o.host === req.headers.host) return true;
    return o.hostname === 'localhost' || o.hostname === '127.0.0.1' || o.hostname === '[::1]';
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
