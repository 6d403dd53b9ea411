import {
  AnswerPermissionBody,
  CreateSessionBody,
  EventsQuery,
  PROTOCOL_VERSION,
  PatchSessionBody,
  SubmitInputBody,
  describeZodError,
} from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import { checkName } from '../../check-name.js';
import { checkFetchPosition } from '../../hub/log-position.js';
import type { ApiDeps, BodyReader } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';
import { sessionState } from '../session-state.js';

/**
 * Sessions over HTTP, for scripts that hold no socket. Routes with `sessionParam` have their
 * session id validated and their action checked on that session before the handler runs.
 */
export function sessionRoutes(deps: ApiDeps, body: BodyReader): ApiRoute[] {
  const { hub } = deps;
  return [
    {
      method: 'GET',
      pattern: /^\/api\/sessions$/,
      action: 'session.read',
      handler: ({ res, device }) => {
        sendJson(res, 200, { sessions: hub.list(device.id) });
        return Promise.resolve();
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions$/,
      action: 'session.create',
      handler: async ({ req, res }) => {
        const b = await body(req, CreateSessionBody);
        checkName(b.name);
        sendJson(res, 201, { session: await hub.create(b.kind, b.name, b.config ?? {}) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)$/,
      action: 'session.read',
      sessionParam: true,
      handler: ({ res, params }) => {
        sendJson(res, 200, sessionState(hub.get(params[0]!), deps.access));
        return Promise.resolve();
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/api\/sessions\/([^/]+)$/,
      action: 'session.rename',
      sessionParam: true,
      handler: async ({ req, res, params }) => {
        const id = params[0]!;
        hub.get(id);
        const b = await body(req, PatchSessionBody);
        checkName(b.name);
        sendJson(res, 200, { session: await hub.rename(id, b.name) });
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/sessions\/([^/]+)$/,
      action: 'session.delete',
      sessionParam: true,
      handler: async ({ res, params }) => {
        await hub.delete(params[0]!);
        sendJson(res, 200, { deleted: true });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/events$/,
      action: 'session.read',
      sessionParam: true,
      handler: async ({ res, params, url }) => {
        const session = hub.get(params[0]!);
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
      action: 'session.input',
      sessionParam: true,
      handler: async ({ req, res, params, device }) => {
        const id = params[0]!;
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
      action: 'session.stop',
      sessionParam: true,
      handler: async ({ res, params }) => {
        sendJson(res, 200, { session: await hub.stop(params[0]!) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/restart$/,
      action: 'session.restart',
      sessionParam: true,
      handler: async ({ res, params }) => {
        sendJson(res, 200, { session: await hub.restart(params[0]!) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/interrupt$/,
      action: 'session.interrupt',
      sessionParam: true,
      handler: async ({ res, params }) => {
        await hub.get(params[0]!).interrupt(false);
        sendJson(res, 200, {});
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/permissions$/,
      action: 'session.answer',
      sessionParam: true,
      handler: async ({ req, res, params, device }) => {
        const id = params[0]!;
        hub.get(id);
        const b = await body(req, AnswerPermissionBody);
        sendJson(res, 200, {
          seq: await hub.answerPermission(id, { deviceId: device.id }, b.requestId, b.answer),
        });
      },
    },
  ];
}
