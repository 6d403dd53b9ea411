import { AuditQuery, PutSettingsBody, describeZodError } from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import type { ApiDeps, BodyReader } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';

/**
 * The audit log (read only: there is no route that changes or deletes a row) and the server
 * settings that decide who may read it. `audit.read` needs the role in `auditReadRole`
 * (AccessControl asks the settings on every check).
 */
export function auditRoutes(deps: ApiDeps, body: BodyReader): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/audit$/,
      action: 'audit.read',
      handler: async ({ res, url, device }) => {
        const q = AuditQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!q.success)
          throw new BatonError('bad_request', `invalid query: ${describeZodError(q.error)}`);
        const query: { sessionId?: string; deviceId?: string; after: number; limit: number } = {
          after: q.data.after,
          limit: q.data.limit,
        };
        if (q.data.session !== undefined) query.sessionId = q.data.session;
        if (q.data.device !== undefined) query.deviceId = q.data.device;
        const rows = await deps.audit.read(query);
        // Rows of sessions this device may not see are left out (not reachable for a device
        // that reads the audit log today, which needs a device paired for all sessions).
        const entries = rows.filter(
          (e) => e.sessionId === undefined || deps.access.canSee(device.id, e.sessionId),
        );
        sendJson(res, 200, {
          entries,
          next: rows.at(-1)?.id ?? q.data.after,
          more: rows.length === q.data.limit,
        });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/settings$/,
      action: 'devices.read',
      handler: ({ res }) => {
        sendJson(res, 200, deps.settings.get());
        return Promise.resolve();
      },
    },
    {
      method: 'PUT',
      pattern: /^\/api\/settings$/,
      action: 'settings.manage',
      handler: async ({ req, res, device }) => {
        const b = await body(req, PutSettingsBody);
        const before = deps.settings.get();
        const after = await deps.settings.update(
          b.auditReadRole === undefined ? {} : { auditReadRole: b.auditReadRole },
        );
        if (after.auditReadRole !== before.auditReadRole)
          deps.audit.record({
            action: 'settings.change',
            deviceId: device.id,
            detail: { auditReadRole: { from: before.auditReadRole, to: after.auditReadRole } },
          });
        sendJson(res, 200, after);
      },
    },
  ];
}
