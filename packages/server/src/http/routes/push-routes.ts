import { CreatePushSubscriptionBody, PatchPushSubscriptionBody } from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import type { ApiDeps, BodyReader } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';

/**
 * Web Push: the server's VAPID public key and the asking device's own subscriptions. Every
 * role may manage its own device's subscriptions (`push.manage`); another device's
 * subscription answers 404 like a missing one. With push off, every route answers 404 saying so.
 */
export function pushRoutes(deps: ApiDeps, body: BodyReader): ApiRoute[] {
  const push = () => {
    if (!deps.push)
      throw new BatonError(
        'not_found',
        'Web Push is off on this server; start it with push enabled to get notifications',
      );
    return deps.push;
  };
  return [
    {
      method: 'GET',
      pattern: /^\/api\/push\/key$/,
      action: 'push.manage',
      handler: ({ res }) => {
        sendJson(res, 200, { publicKey: push().publicKey });
        return Promise.resolve();
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/push\/subscriptions$/,
      action: 'push.manage',
      handler: ({ res, device }) => {
        sendJson(res, 200, { subscriptions: push().subscriptions.listFor(device.id) });
        return Promise.resolve();
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/push\/subscriptions$/,
      action: 'push.manage',
      handler: async ({ req, res, device }) => {
        const { subscriptions } = push();
        const b = await body(req, CreatePushSubscriptionBody);
        const sub = await subscriptions.add(device.id, b.subscription, b.prefs ?? {});
        deps.audit.record({
          action: 'push.subscribe',
          deviceId: device.id,
          detail: { prefs: sub.prefs },
        });
        sendJson(res, 201, { subscription: sub });
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/api\/push\/subscriptions\/([^/]+)$/,
      action: 'push.manage',
      handler: async ({ req, res, device, params }) => {
        const { subscriptions } = push();
        const b = await body(req, PatchPushSubscriptionBody);
        const sub = await subscriptions.setPrefs(device.id, params[0]!, b.prefs);
        deps.audit.record({
          action: 'push.prefs',
          deviceId: device.id,
          detail: { prefs: sub.prefs },
        });
        sendJson(res, 200, { subscription: sub });
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/push\/subscriptions\/([^/]+)$/,
      action: 'push.manage',
      handler: async ({ res, device, params }) => {
        await push().subscriptions.remove(device.id, params[0]!);
        deps.audit.record({ action: 'push.unsubscribe', deviceId: device.id });
        sendJson(res, 200, { deleted: true });
      },
    },
  ];
}
