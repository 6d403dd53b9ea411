import {
  AnswerPermissionBody,
  CreateSessionBody,
  EventsQuery,
  InputId,
  PROTOCOL_VERSION,
  PatchSessionBody,
  SubmitInputBody,
  describeZodError,
  sealedTerminalChecks,
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
  const { hub, audit } = deps;
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
      handler: async ({ req, res, device }) => {
        const b = await body(req, CreateSessionBody);
        // Adopting reads the host user's own transcripts: more than creating a session.
        if (b.config && 'resume' in b.config) deps.access.check(device.id, 'agents.adopt');
        checkName(b.name);
        const session = await hub.create(b.kind, b.name, b.config ?? {});
        audit.record({
          action: 'session.create',
          deviceId: device.id,
          sessionId: session.id,
          detail: { kind: session.kind, name: session.name },
        });
        sendJson(res, 201, { session });
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
      handler: async ({ req, res, params, device }) => {
        const id = params[0]!;
        const from = hub.get(id).name;
        const b = await body(req, PatchSessionBody);
        checkName(b.name);
        const session = await hub.rename(id, b.name);
        audit.record({
          action: 'session.rename',
          deviceId: device.id,
          sessionId: id,
          detail: { from, to: session.name },
        });
        sendJson(res, 200, { session });
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/sessions\/([^/]+)$/,
      action: 'session.delete',
      sessionParam: true,
      handler: async ({ res, params, device }) => {
        const name = hub.get(params[0]!).name;
        await hub.delete(params[0]!);
        audit.record({
          action: 'session.delete',
          deviceId: device.id,
          sessionId: params[0]!,
          detail: { name },
        });
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
        const result = await hub.submitInput(
          id,
          { deviceId: device.id },
          b.inputId,
          b.payload,
          false,
          sealedTerminalChecks(b),
        );
        // Over HTTP there is no window, so a terminal report is never the responder's: ignored.
        const stored = !result.duplicate && result.ignored === undefined;
        if (stored)
          audit.recordInput({ deviceId: device.id, sessionId: id }, result.seq, b.payload.kind);
        sendJson(res, stored ? 201 : 200, {
          seq: result.seq,
          duplicate: result.duplicate,
          ...(result.ignored !== undefined ? { ignored: result.ignored } : {}),
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/inputs\/([^/]+)\/withdraw$/,
      action: 'session.input',
      sessionParam: true,
      handler: async ({ res, params, device }) => {
        const id = params[0]!;
        const inputId = InputId.safeParse(params[1]);
        if (!inputId.success)
          throw new BatonError(
            'bad_request',
            'the input id in the path must be 1-128 characters from [A-Za-z0-9._:-]',
          );
        const result = await hub.withdrawInput(id, { deviceId: device.id }, inputId.data, false);
        if (!result.duplicate)
          audit.record({
            action: 'input.withdraw',
            deviceId: device.id,
            sessionId: id,
            detail: { inputId: inputId.data, seq: result.seq },
          });
        sendJson(res, 200, result);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/stop$/,
      action: 'session.stop',
      sessionParam: true,
      handler: async ({ res, params, device }) => {
        const session = await hub.stop(params[0]!);
        audit.record({ action: 'session.stop', deviceId: device.id, sessionId: params[0]! });
        sendJson(res, 200, { session });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/restart$/,
      action: 'session.restart',
      sessionParam: true,
      handler: async ({ res, params, device }) => {
        const session = await hub.restart(params[0]!);
        audit.record({ action: 'session.restart', deviceId: device.id, sessionId: params[0]! });
        sendJson(res, 200, { session });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/interrupt$/,
      action: 'session.interrupt',
      sessionParam: true,
      handler: async ({ res, params, device }) => {
        await hub.interrupt(params[0]!, false, device.id);
        audit.record({ action: 'session.interrupt', deviceId: device.id, sessionId: params[0]! });
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
        const seq = await hub.answerPermission(id, { deviceId: device.id }, b.requestId, b.answer);
        audit.record({
          action: 'permission.answer',
          deviceId: device.id,
          sessionId: id,
          detail: { requestId: b.requestId, decision: b.answer.decision, seq },
        });
        sendJson(res, 200, { seq });
      },
    },
  ];
}
