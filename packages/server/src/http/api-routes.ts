import { SessionId, describeZodError } from '@baton/protocol';
import { BatonError } from '../baton-error.js';
import type { AuthenticatedDevice } from '../auth/device-registry.js';
import type { ApiDeps, BodyReader } from './api-deps.js';
import type { ApiRoute } from './api-route.js';
import { readBody, sendError, sendJson } from './json-response.js';
import type { ApiHandler } from './request-router.js';
import { agentConversationRoutes } from './routes/agent-conversation-routes.js';
import { attachmentRoutes } from './routes/attachment-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { deviceRoutes } from './routes/device-routes.js';
import { hostRoutes } from './routes/host-routes.js';
import { sealingRoutes } from './routes/sealing-routes.js';
import { handoffRoutes } from './routes/handoff-routes.js';
import { metaRoutes } from './routes/meta-routes.js';
import { pairingRoutes } from './routes/pairing-routes.js';
import { pushRoutes } from './routes/push-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { syncRoutes } from './routes/sync-routes.js';
import { drainRefusedBody } from './request-body.js';

export type { ApiDeps } from './api-deps.js';

const ANONYMOUS: AuthenticatedDevice = { id: 'anonymous', name: 'anonymous', role: 'viewer' };

/**
 * The HTTP API under /api. Each route module contributes routes; this function authenticates
 * the bearer token, checks the route's action against the device's role (on the session, for
 * session routes), and maps every failure to a JSON error with its status.
 */
export function createApi(deps: ApiDeps): ApiHandler {
  const body: BodyReader = (req, schema) => readBody(req, schema, deps.maxBodyBytes);
  const routes: ApiRoute[] = [
    ...metaRoutes(deps),
    ...deviceRoutes(deps, body),
    ...sessionRoutes(deps, body),
    ...hostRoutes(deps),
    ...sealingRoutes(deps, body),
    ...pairingRoutes(deps, body),
    ...handoffRoutes(deps, body),
    ...syncRoutes(deps, body),
    ...pushRoutes(deps, body),
    ...auditRoutes(deps, body),
    ...agentConversationRoutes(deps),
    ...attachmentRoutes(deps),
  ];

  return async (req, res, target) => {
    const url = target.url;
    try {
      const matches = routes.filter((r) => r.pattern.test(url.pathname));
      if (matches.length === 0)
        throw new BatonError('not_found', `no API route ${url.pathname}; see /api/openapi.json`);
      const route = matches.find((r) => r.method === req.method);
      if (!route) {
        res.setHeader('allow', matches.map((r) => r.method).join(', '));
        sendJson(res, 405, {
          error: {
            code: 'bad_request',
            message: `${(req.method ?? '?').slice(0, 20)} is not allowed on ${url.pathname}; allowed: ${matches.map((r) => r.method).join(', ')}`,
          },
        });
        return;
      }
      const params = route.pattern.exec(url.pathname)!.slice(1);
      if (route.sessionParam) {
        const parsed = SessionId.safeParse(params[0]);
        if (!parsed.success)
          throw new BatonError(
            'not_found',
            `no session ${params[0] ?? ''}: ${describeZodError(parsed.error)}`,
          );
        params[0] = parsed.data;
      }
      let device = ANONYMOUS;
      let role = ANONYMOUS.role;
      if (!route.public) {
        const header = req.headers.authorization ?? '';
        const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
        const found = deps.devices.authenticate(token);
        if (!found) {
          throw new BatonError(
            'unauthorized',
            token
              ? 'unknown or revoked token'
              : 'missing credential: send Authorization: Bearer <token>',
          );
        }
        device = found;
        deps.devices.seen(device.id);
        if (!route.action) throw new Error(`route ${route.method} ${route.pattern} has no action`);
        role = deps.access.check(
          device.id,
          route.action,
          route.sessionParam ? params[0] : undefined,
        );
      }
      await route.handler({ req, res, params, device, role, url });
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The rest of an oversized body is read and dropped (bounded) so the client reads the 413,
      // then the connection closes instead of being kept alive behind it.
      if (
        err instanceof BatonError &&
        (err.code === 'frame_too_large' || err.code === 'attachment_too_large')
      ) {
        await drainRefusedBody(req);
        res.setHeader('connection', 'close');
      }
      if (err instanceof BatonError) {
        sendError(res, err.code, err.message, err.retryAfterMs, err.requiredRole);
        return;
      }
      deps.log.error('an API request failed', {
        method: req.method,
        path: url.pathname.slice(0, 200),
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
      sendError(res, 'internal', `the server failed: ${(err as Error).message}`);
    }
  };
}
