import { useMemo, type ReactNode } from 'react';
import { useSession } from '@baton/react';
import { buildChat, type ChatItem } from '../../../web/src/chat/chat-model.js';
import { ToolCard } from '../../../web/src/chat/tool-card.js';
import { useDeviceId } from '../../../web/src/sign-in/device-context.js';
import { useDeviceNames } from '../../../web/src/devices/use-device-names.js';
import '../../../web/src/chat/chat.css';

type ToolItem = Extract<ChatItem, { type: 'tool' }>;

/**
 * The permission prompts (and plans, questions) an agent session waits on, answerable from the
 * popup with the web app's own tool cards. It subscribes to the session only while shown (the
 * session's `attention` says there is one), and not read-only: the server refuses answers from
 * a read-only attachment, as it refuses its input.
 */
export function WaitingPrompts({ sessionId }: { sessionId: string }): ReactNode {
  const snapshot = useSession(sessionId);
  const deviceId = useDeviceId();
  const nameOf = useDeviceNames([]);
  const waiting = useMemo(
    () =>
      buildChat({
        base: snapshot.base,
        events: snapshot.events,
        pending: snapshot.pending,
        streams: snapshot.streams,
        deviceId,
      }).items.filter(
        (item): item is ToolItem =>
          item.type === 'tool' &&
          item.permission !== undefined &&
          item.permission.resolution === undefined,
      ),
    [snapshot.base, snapshot.events, snapshot.pending, snapshot.streams, deviceId],
  );
  if (waiting.length === 0) return null;
  return (
    <div className="popup-prompts" aria-label="Waiting for you">
      {waiting.map((item) => (
        <ToolCard
          key={item.key}
          item={item}
          sessionId={sessionId}
          readOnly={false}
          who={(id) => (id ? (nameOf(id) ?? 'another device') : 'another device')}
        />
      ))}
    </div>
  );
}
