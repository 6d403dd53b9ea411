import { IntroduceBody, type IntroduceResponse } from '@baton/protocol';
import { refuseWeakKeys } from '@baton/seal';
import { BatonError } from '../../baton-error.js';
import type { ApiDeps, BodyReader } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';

/**
 * Keys of sealed sessions on a relay (docs/protocol.md, "Sealed sessions"): the host's roster and
 * the session keys it wrapped to the calling device, and a newly paired device's introduction of
 * its keys to a host. The relay hands out only what hosts and devices gave it; none of it lets
 * the relay open anything.
 */
export function sealingRoutes(deps: ApiDeps, body: BodyReader): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/keys$/,
      action: 'session.read',
      sessionParam: true,
      handler: ({ res, params, device }) => {
        const session = deps.hub.get(params[0]!);
        const sealed = session.sealed;
        const keys = sealed && deps.sealing?.keysFor(session.id, sealed.hostId, device.id);
        if (!keys)
          throw new BatonError(
            'not_found',
            `session ${session.id} is not sealed: its content travels in the clear and it has no keys`,
          );
        sendJson(res, 200, keys);
        return Promise.resolve();
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/hosts\/([^/]+)\/introductions$/,
      action: 'session.read',
      handler: async ({ req, res, params, device }) => {
        const hostId = decodeURIComponent(params[0]!);
        const { sealing } = deps;
        if (!sealing?.isSealingHost(hostId))
          throw new BatonError(
            'not_found',
            `no host ${hostId} seals its sessions on this relay; GET /api/hosts lists the hosts`,
          );
        const b = await body(req, IntroduceBody);
        if (b.introduction.deviceId !== device.id)
          throw new BatonError(
            'forbidden',
            `this introduction names device ${b.introduction.deviceId}, but the request is ${device.id}'s: a device introduces only itself`,
          );
        if (b.introduction.host !== hostId)
          throw new BatonError(
            'bad_request',
            `this introduction is for host ${b.introduction.host}, not ${hostId}`,
          );
        try {
          // The host refuses it too; the relay does not keep (nor relay) a key that proves nothing.
          refuseWeakKeys(b.introduction, `device ${device.id}`);
        } catch (err) {
          throw new BatonError('bad_request', (err as Error).message);
        }
        await sealing.introduce({
          hostId,
          deviceId: device.id,
          ...(b.code !== undefined ? { code: b.code } : {}),
          introduction: b.introduction,
        });
        deps.onIntroduction?.(hostId);
        sendJson(res, 202, { state: 'pending' } satisfies IntroduceResponse);
      },
    },
  ];
}
