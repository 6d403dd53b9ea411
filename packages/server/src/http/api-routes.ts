import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AnswerPermissionBody,
  CreateSessionBody,
  EventsQuery,
  MIN_SUPPORTED_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  PatchSessionBody,
  RegisterDeviceBody,
  SessionId,
  SubmitInputBody,
  describeZodError,
} from '@baton/protocol';
import { BatonError } from '../baton-error.js';
import { checkName } from '../check-name.js';
import type { AuthenticatedDevice, DeviceRegistry } from '../auth/device-registry.js';
import { checkFetchPosition } from '../hub/log-position.js';
import type { SessionHub } from '../hub/session-hub.js';
import type { Logger } from '../logger.js';
import type { StoreState } from '../storage/store-health.js';
import { openApiDocument } from './openapi.js';
import { readBody, sendError, sendJson } from './json-response.js';
import type { ApiHandler } from './request-router.js';

export interface ApiDeps {
  hub: SessionHub;
  log: Logger;
  devices: DeviceRegistry;
  maxBodyBytes: number;
  startedAt: number;
  version: string;
  /** Whether the store accepts writes. */
  storeState(): StoreState;
  /** Closes every connection of a revoked device. */
  onDeviceRevoked(deviceId: string): void;
}

type Handler = (ctx: {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  device: AuthenticatedDevice;
  url: URL;
}) => Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  public?: boolean;
  ownerOnly?: boolean;
  handler: Handler;
}

/** The HTTP API under /api. Every route but health and the OpenAPI document needs a bearer token. */
export function createApi(deps: ApiDeps): ApiHandler {
  const { hub, devices } = deps;
  const body = <T>(req: IncomingMessage, schema: Parameters<typeof readBody<T>>[1]) =>
    readBody(req, schema, deps.maxBodyBytes);
  const sessionId = (raw: string | undefined): string => {
    const parsed = SessionId.safeParse(raw);
    if (!parsed.success)
      throw new BatonError(
        'not_found',
        `no session ${raw ?? ''}: ${describeZodError(parsed.error)}`,
      );
    return parsed.data;
  };

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/api\/health$/,
      public: true,
      handler: ({ res }) => {
        // 503 while the store cannot write, so a load balancer or monitor sees it.
        const store = deps.storeState();
        const healthy = store.state === 'ok';
        sendJson(res, healthy ? 200 : 503, {
          ok: healthy,
          store: healthy ? { state: 'ok' } : { state: store.state, error: store.error },
          version: deps.version,
          protocol: { version: PROTOCOL_VERSION, minSupported: MIN_SUPPORTED_PROTOCOL_VERSION },
          uptimeMs: Date.now() - deps.startedAt,
        });
        return Promise.resolve();
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/openapi\.json$/,
      public: true,
      handler: ({ res }) => {
        sendJson(res, 200, openApiDocument(deps.version));
        return Promise.resolve();
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/devices$/,
      ownerOnly: true,
      handler: async ({ req, res }) => {
        const b = await body(req, RegisterDeviceBody);
        checkName(b.name);
        sendJson(res, 201, await devices.register(b.name));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/devices$/,
      handler: ({ res }) => {
        sendJson(res, 200, { devices: devices.list() });
        return Promise.resolve();
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/devices\/([^/]+)$/,
      ownerOnly: true,
      handler: async ({ res, params }) => {
        const id = params[0]!;
        if (!(await devices.revoke(id)))
          throw new BatonError('not_found', `no active device ${id}`);
        deps.onDeviceRevoked(id);
        sendJson(res, 200, { revoked: true });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions$/,
      handler: ({ res }) => {
        sendJson(res, 200, { sessions: hub.list() });
        return Promise.resolve();
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions$/,
      handler: async ({ req, res }) => {
        const b = await body(req, CreateSessionBody);
        checkName(b.name);
        sendJson(res, 201, { session: await hub.create(b.kind, b.name, b.config ?? {}) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)$/,
      handler: ({ res, params }) => {
        sendJson(res, 200, { session: hub.get(sessionId(params[0])).info() });
        return Promise.resolve();
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/api\/sessions\/([^/]+)$/,
      handler: async ({ req, res, params }) => {
        const id = sessionId(params[0]);
        hub.get(id);
        const b = await body(req, PatchSessionBody);
        checkName(b.name);
        sendJson(res, 200, { session: await hub.rename(id, b.name) });
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/sessions\/([^/]+)$/,
      handler: async ({ res, params }) => {
        await hub.delete(sessionId(params[0]));
        sendJson(res, 200, { deleted: true });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/events$/,
      handler: async ({ res, params, url }) => {
        const session = hub.get(sessionId(params[0]));
        const q = EventsQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!q.success)
          throw new BatonError('bad_request', `invalid query: ${describeZodError(q.error)}`);
        const head = { epoch: session.epoch, headSeq: session.committedSeq };
        checkFetchPosition(head, q.data.after, q.data.epoch, PROTOCOL_VERSION);
        sendJson(res, 200, await session.readCommitted(q.data.after, q.data.limit));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/inputs$/,
      handler: async ({ req, res, params, device }) => {
        const id = sessionId(params[0]);
        hub.get(id);
        const b = await body(req, SubmitInputBody);
        const result = await hub.submitInput(id, { deviceId: device.id }, b.inputId, b.payload);
        sendJson(res, result.duplicate ? 200 : 201, {
          seq: result.seq,
          duplicate: result.duplicate,
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/stop$/,
      handler: async ({ res, params }) => {
        sendJson(res, 200, { session: await hub.stop(sessionId(params[0])) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/restart$/,
      handler: async ({ res, params }) => {
        sendJson(res, 200, { session: await hub.restart(sessionId(params[0])) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/interrupt$/,
      handler: async ({ res, params }) => {
        await hub.get(sessionId(params[0])).interrupt(false);
        sendJson(res, 200, {});
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/permissions$/,
      handler: async ({ req, res, params, device }) => {
        const id = sessionId(params[0]);
        hub.get(id);
        const b = await body(req, AnswerPermissionBody);
        sendJson(res, 200, {
          seq: await hub.answerPermission(id, { deviceId: device.id }, b.requestId, b.answer),
        });
      },
    },
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
      let device: AuthenticatedDevice = { id: 'anonymous', name: 'anonymous', isOwner: false };
      if (!route.public) {
        const header = req.headers.authorization ?? '';
        const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
        const found = devices.authenticate(token);
        if (!found) {
          throw new BatonError(
            'unauthorized',
            token
              ? 'unknown or revoked token'
              : 'missing credential: send Authorization: Bearer <token>',
          );
        }
        device = found;
        devices.seen(device.id);
        if (route.ownerOnly && !device.isOwner)
          throw new BatonError('forbidden', 'only the owner token may do this');
      }
      const params = route.pattern.exec(url.pathname)!.slice(1);
      await route.handler({ req, res, params, device, url });
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The rest of an oversized body is not read: close instead of draining it for keep-alive.
      if (err instanceof BatonError && err.code === 'frame_too_large')
        res.setHeader('connection', 'close');
      if (err instanceof BatonError) {
        sendError(res, err.code, err.message, err.retryAfterMs);
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
