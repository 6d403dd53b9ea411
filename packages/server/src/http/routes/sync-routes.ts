import { SyncBody } from '@baton/protocol';
import { isStalePosition } from '../../hub/log-position.js';
import type { ApiDeps, BodyReader } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJson } from '../json-response.js';
import { sessionState } from '../session-state.js';

/**
 * `POST /api/sessions/:id/sync`: what a socket client would have received after `after`, for
 * clients that cannot hold a socket. One bounded page per call: while `more` is true, call again
 * with `after` set to the returned `nextAfter`. A position the log no longer holds (compacted,
 * another epoch, beyond the head) gets the snapshot a subscriber would get (`reset`), followed
 * by the events after it.
 */
export function syncRoutes(deps: ApiDeps, body: BodyReader): ApiRoute[] {
  const { hub, access } = deps;
  return [
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/sync$/,
      action: 'session.read',
      sessionParam: true,
      handler: async ({ req, res, params }) => {
        const session = hub.get(params[0]!);
        const b = await body(req, SyncBody);
        const head = { epoch: session.epoch, headSeq: session.committedSeq };
        let after = b.after;
        let snapshot: { seq: number; state: unknown } | undefined;
        const stale = isStalePosition(head, b.after, b.epoch);
        if (stale || b.after + 1 < session.firstSeq) {
          const snap = await session.snapshot();
          snapshot = { seq: snap.seq, state: { session: session.info(), runner: snap.state } };
          after = snap.seq;
        }
        const read = await session.readCommitted(after, b.limit);
        const last = read.events.at(-1)?.seq ?? after;
        sendJson(res, 200, {
          ...(snapshot ? { reset: true, snapshot } : { reset: false }),
          events: read.events,
          headSeq: read.headSeq,
          firstSeq: read.firstSeq,
          epoch: read.epoch,
          nextAfter: last,
          more: last < read.headSeq,
          ...sessionState(session, access),
        });
      },
    },
  ];
}
