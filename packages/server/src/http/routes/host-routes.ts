import type { HostListResponse } from '@baton/protocol';
import type { ApiDeps } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';

/**
 * The hosts of a relay (docs/relay.md), sessions or not, for a new session's Host field: for
 * every device that may read sessions, each host with the number of its sessions this device
 * sees. A device paired for one session sees only the host of that session, as its session
 * list shows nothing else. A host whose device was revoked is left out: it can no longer
 * connect. A server that
 * is not a relay answers `relay: false` and no hosts.
 */
export function hostRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/hosts$/,
      action: 'session.read',
      handler: ({ res, device }) => {
        const { hosts } = deps;
        if (!hosts) {
          sendJson(res, 200, { relay: false, hosts: [] } satisfies HostListResponse);
          return Promise.resolve();
        }
        const counts = new Map<string, number>();
        for (const s of deps.hub.list(device.id))
          if (s.host) counts.set(s.host.id, (counts.get(s.host.id) ?? 0) + 1);
        const listed = hosts
          .listSeen()
          .filter((h) => deps.devices.current(h.id) !== undefined)
          .filter((h) => device.sessionScope === undefined || counts.has(h.id))
          .map((h) => ({ ...h, sessions: counts.get(h.id) ?? 0 }))
          .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
        sendJson(res, 200, { relay: true, hosts: listed } satisfies HostListResponse);
        return Promise.resolve();
      },
    },
  ];
}
