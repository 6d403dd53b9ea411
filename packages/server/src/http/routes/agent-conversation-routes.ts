import { AgentConversationsQuery, describeZodError } from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import type { ApiDeps } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';

/**
 * `GET /api/agent-conversations?kind=claude|codex&limit=N`: the agent conversations on the
 * server's host that a session can adopt (`config.resume`), newest first. Owner only: they are
 * the host user's own transcripts, whichever program started them.
 */
export function agentConversationRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/agent-conversations$/,
      action: 'agents.adopt',
      handler: async ({ res, url }) => {
        const q = AgentConversationsQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!q.success)
          throw new BatonError('bad_request', `invalid query: ${describeZodError(q.error)}`);
        const conversations = await deps.hub.listConversations(q.data.kind, q.data.limit);
        sendJson(res, 200, { kind: q.data.kind, conversations });
      },
    },
  ];
}
