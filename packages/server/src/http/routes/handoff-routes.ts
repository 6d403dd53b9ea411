import {
  ControlBody,
  HandoffBody,
  ResumeBody,
  maySteer,
  roleAtLeast,
  type HandoffMode,
  type Role,
} from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import { checkName } from '../../check-name.js';
import { newDeviceId } from '../../auth/tokens.js';
import { handoffUrl, qrSvg, requestOrigin } from '../../handoff/handoff-link.js';
import type { ApiDeps, BodyReader } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';
import { sessionState } from '../session-state.js';

/** The role a handoff gives the receiver: observing needs no more than viewing. */
function roleFor(mode: HandoffMode): Role {
  return mode === 'observe' ? 'viewer' : 'editor';
}

/**
 * Handoff (docs/protocol.md, "Handoff and control"): a device hands a session to another one
 * with a single-use link, and who may steer the session changes when the link is redeemed.
 */
export function handoffRoutes(deps: ApiDeps, body: BodyReader): ApiRoute[] {
  const { hub, grants, devices, access } = deps;
  return [
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/handoff$/,
      action: 'session.handoff',
      sessionParam: true,
      handler: async ({ req, res, params, device, role }) => {
        const id = params[0]!;
        const session = hub.get(id);
        const b = await body(req, HandoffBody);
        // A device hands out no more than it has: control only while it may steer (an owner
        // may always take control back, so it may always give it).
        if (b.mode !== 'observe' && role !== 'owner' && !maySteer(session.control, device.id))
          throw new BatonError(
            'forbidden',
            `this device observes ${id} (${session.control.state === 'controlled' ? session.control.controller.deviceName : 'another device'} controls it): it cannot hand out control it does not have; hand it off to observe instead`,
          );
        const { code, expiresAt } = await grants.issue({
          kind: 'handoff',
          length: 'long',
          sessionScope: id,
          mode: b.mode,
          role: roleFor(b.mode),
          createdBy: device.id,
          ttlMs: (b.ttlSeconds ?? 300) * 1000,
        });
        deps.audit.record({
          action: 'handoff',
          deviceId: device.id,
          sessionId: id,
          detail: { mode: b.mode, expiresAt },
        });
        const url = handoffUrl(requestOrigin(req), id, code);
        sendJson(res, 201, { token: code, url, qrSvg: await qrSvg(url), expiresAt, mode: b.mode });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/resume$/,
      public: true,
      sessionParam: true,
      handler: async ({ req, res, params }) => {
        const id = params[0]!;
        // Every attempt counts, malformed ones included, before anything is looked at.
        deps.redeemLimiter.attempt(req.socket.remoteAddress ?? 'unknown');
        const b = await body(req, ResumeBody);
        checkName(b.deviceName);
        // A device already signed in (a paired laptop) receives the handoff itself; an unknown
        // or revoked bearer token is refused rather than silently ignored.
        const header = req.headers.authorization;
        let existing: { id: string; name: string } | undefined;
        if (header !== undefined) {
          const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
          const found = devices.authenticate(token);
          if (!found)
            throw new BatonError(
              'unauthorized',
              'unknown or revoked token: resume without an Authorization header to get a new device',
            );
          existing = { id: found.id, name: found.name };
        }
        const grant = await grants.peek(b.handoffToken);
        if (existing && grant?.kind === 'handoff' && grant.sessionScope === id) {
          // Refused before the token is spent: roles are per device and only ever narrowed per
          // session, so a handoff cannot lift an existing device above its role.
          const has = access.roleOn(existing.id, id);
          if (has === undefined || !roleAtLeast(has, grant.role))
            throw new BatonError(
              'forbidden',
              `this device ${has === undefined ? 'may not see this session' : `is a ${has} on this session`}; the handoff needs ${grant.role}. Open the link in a browser that is not signed in to get a new device, or ask the owner to change this device's role`,
              undefined,
              grant.role,
            );
        }
        const session = hub.get(id);
        const deviceId = existing?.id ?? newDeviceId();
        const spent = await grants.redeem('handoff', b.handoffToken, deviceId, id);
        const mode = spent.mode as HandoffMode;
        let deviceToken: string | undefined;
        let deviceName = existing?.name ?? b.deviceName;
        if (!existing) {
          const created = await devices.register(b.deviceName, spent.role, id, deviceId);
          deviceToken = created.token;
          deviceName = created.name;
        }
        if (mode === 'takeover' || mode === 'mirror')
          await hub.changeControl(id, mode, { deviceId, deviceName });
        const role = access.roleOn(deviceId, id) ?? spent.role;
        deps.audit.record({
          action: 'redeem',
          deviceId,
          sessionId: id,
          detail: { kind: 'handoff', mode, existingDevice: existing !== undefined },
        });
        sendJson(res, 200, {
          deviceId,
          ...(deviceToken !== undefined ? { deviceToken } : {}),
          role,
          mode,
          sessionId: id,
          control: session.control,
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/control$/,
      action: 'session.control',
      sessionParam: true,
      handler: async ({ req, res, params, device, role }) => {
        const id = params[0]!;
        const session = hub.get(id);
        const b = await body(req, ControlBody);
        // Who may release or reclaim is checked where the change is made (the owner node).
        await hub.changeControl(
          id,
          b.action,
          { deviceId: device.id, deviceName: device.name },
          role,
        );
        deps.audit.record({
          action: 'control',
          deviceId: device.id,
          sessionId: id,
          detail: { action: b.action },
        });
        sendJson(res, 200, sessionState(session, access));
      },
    },
  ];
}
