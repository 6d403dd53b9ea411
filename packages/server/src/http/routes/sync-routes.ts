import { SyncBody } from '@baton/protocol';
import { isStalePosition } from '../../hub/log-position.js';
import { snapshotStateJson } from '../../hub/snapshot-frame.js';
import type { ApiDeps, BodyReader } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { sendJsonText } from '../json-response.js';
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
        /** `{ seq, state }` in parts, the state as the projection keeps it (snapshotStateJson). */
        let snapshot: Buffer[] | undefined;
        const stale = isStalePosition(head, b.after, b.epoch);
        if (stale || b.after + 1 < session.firstSeq) {
          const snap = await session.snapshotJson();
          const state = snapshotStateJson(session.info(), snap.parts);
          snapshot = [Buffer.from(`{"seq":${snap.seq},"state":`), ...state, Buffer.from('}')];
          after = snap.seq;
        }
        const read = await session.readCommitted(after, b.limit);
        const last = read.events.at(-1)?.seq ?? after;
        const rest = JSON.stringify({
          reset: snapshot !== undefined,
          events: read.events,
          headSeq: read.headSeq,
          firstSeq: read.firstSeq,
          epoch: read.epoch,
          nextAfter: last,
          more: last < read.headSeq,
          ...sessionState(session, access),
        });
        if (!snapshot) return sendJsonText(res, 200, rest);
        sendJsonText(
          res,
          200,
          Buffer.concat([
            Buffer.from('{"snapshot":'),
            ...snapshot,
            Buffer.from(`,${rest.slice(1)}`),
          ]),
        );
      },
    },
  ];
}
