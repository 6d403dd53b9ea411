import { RegisterDeviceBody } from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import { checkName } from '../../check-name.js';
import type { ApiDeps, BodyReader } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';

/** Registering, listing and revoking devices. */
export function deviceRoutes(deps: ApiDeps, body: BodyReader): ApiRoute[] {
  const { devices } = deps;
  return [
    {
      method: 'POST',
      pattern: /^\/api\/devices$/,
      action: 'devices.manage',
      handler: async ({ req, res }) => {
        const b = await body(req, RegisterDeviceBody);
        checkName(b.name);
        sendJson(res, 201, await devices.register(b.name, b.role ?? 'owner'));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/devices$/,
      action: 'devices.read',
      handler: ({ res }) => {
        sendJson(res, 200, { devices: devices.list() });
        return Promise.resolve();
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/devices\/([^/]+)$/,
      action: 'devices.manage',
      handler: async ({ res, params }) => {
        const id = params[0]!;
        if (!(await devices.revoke(id)))
          throw new BatonError('not_found', `no active device ${id}`);
        deps.onDeviceRevoked(id);
        sendJson(res, 200, { revoked: true });
      },
    },
  ];
}
