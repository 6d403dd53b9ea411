import {
  ATTACHMENT_TYPES,
  MIN_SUPPORTED_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
} from '@baton/protocol';
import type { ApiDeps } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';
import { openApiDocument } from '../openapi.js';

/** Health and the OpenAPI document: public, for monitors and client authors. */
export function metaRoutes(deps: ApiDeps): ApiRoute[] {
  return [
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
          sessions: deps.hub.list().length,
          ...(deps.connectionCount ? { connections: deps.connectionCount() } : {}),
          ...(deps.clusterState ? { cluster: deps.clusterState() } : {}),
          // What an upload may be, so a client can refuse a file before sending its bytes.
          attachments: { maxBytes: deps.attachments.maxBytes, types: ATTACHMENT_TYPES },
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
  ];
}
