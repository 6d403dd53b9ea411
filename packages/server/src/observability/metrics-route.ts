import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeviceRegistry } from '../auth/device-registry.js';
import { sendError, sendJson } from '../http/json-response.js';
import type { ServerMetrics } from './server-metrics.js';

export interface MetricsRouteOptions {
  metrics: ServerMetrics;
  devices: DeviceRegistry;
  /** Serve /metrics to anyone who can reach the server (ServerOptions.metrics.public). */
  public: boolean;
}

/**
 * `GET /metrics`: the Prometheus text exposition.
 *
 * Who may read it: by default a scraper on this machine (a loopback peer address) without a
 * credential, and anyone else with the owner token (or an owner device's) as a bearer token. A reverse proxy on the same
 * host looks like loopback, so such a setup either blocks /metrics at the proxy or sets nothing
 * and relies on the proxy (docs/operations.md). `public: true` serves it to everyone.
 */
export function createMetricsRoute(
  opts: MetricsRouteOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, {
        error: { code: 'bad_request', message: `only GET is allowed on /metrics` },
      });
      return;
    }
    if (!opts.public && !isLoopback(req.socket.remoteAddress)) {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const device = opts.devices.authenticate(token);
      if (!device) {
        sendError(
          res,
          'unauthorized',
          token
            ? 'unknown or revoked token'
            : '/metrics needs the owner token (Authorization: Bearer <token>) from off this machine, or metrics.public in the config',
        );
        return;
      }
      if (device.role !== 'owner' || device.sessionScope !== undefined) {
        sendError(
          res,
          'forbidden',
          'only the owner (the owner token or an owner device) may read /metrics',
        );
        return;
      }
    }
    const text = await opts.metrics.render();
    res.writeHead(200, {
      'content-type': opts.metrics.contentType,
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
