import type { Attachment } from '@baton/protocol';
import type { Subscription } from './subscription.js';

/** A subscription as presence shows it (without whose size is in use: LiveSession adds that). */
export function attachmentOf(s: Subscription, sessionId: string): Attachment {
  const attachment: Attachment = {
    connectionId: s.peer.connectionId,
    deviceId: s.peer.deviceId,
    deviceName: s.peer.deviceName,
    mode: s.peer.mode,
    readOnly: s.readOnly,
    since: s.since,
  };
  if (s.peer.label !== undefined) attachment.label = s.peer.label;
  const role = s.peer.roleOn?.(sessionId);
  if (role !== undefined) attachment.role = role;
  return attachment;
}
