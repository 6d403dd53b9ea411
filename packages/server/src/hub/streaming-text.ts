import type { LogEvent } from '@baton/protocol';

/** A joiner's catch-up frame carries at most this much text; longer text goes in several frames. */
const REPLAY_FRAME_CHARS = 64 * 1024;

interface Streaming {
  channel: 'text' | 'thinking';
  text: string;
}

/**
 * The agent text still streaming in a session: the fragments of each message not yet committed
 * as an `agent.text` / `agent.thinking` event. Fragments are volatile (never stored), so this is
 * what lets a window that reloads, or a device that joins, mid-reply show the words already
 * streamed instead of only those after it arrived (issue 11, bug 1).
 *
 * Invariants:
 * - A message's text lives here from its first fragment until the event carrying its final text
 *   is committed (`committed` runs in `onCommitted`, in the same tick the event is offered to
 *   subscribers), or until the turn or the runner ends. So a subscriber that turns live at
 *   `committedSeq` gets either the streamed text (the final event is still to come) or the event
 *   (already replayed), never both and never neither.
 * - Offsets are in UTF-16 code units of the message's text, as JavaScript strings count them.
 */
export class StreamingText {
  private readonly messages = new Map<string, Streaming>();

  /** Records a fragment; returns the offset at which it starts in its message's text. */
  append(messageId: string, channel: 'text' | 'thinking', delta: string): number {
    const current = this.messages.get(messageId);
    if (!current) {
      this.messages.set(messageId, { channel, text: delta });
      return 0;
    }
    const offset = current.text.length;
    current.text += delta;
    return offset;
  }

  /** Forgets what a committed event finished (its message) or ended (the turn, the runner). */
  committed(event: LogEvent): void {
    if (event.type === 'agent.text' || event.type === 'agent.thinking') {
      this.messages.delete(event.data.messageId);
    } else if (event.type === 'agent.turn.ended') {
      this.messages.clear();
    } else if (
      event.type === 'session.status' &&
      event.data.status !== 'running' &&
      event.data.status !== 'starting'
    ) {
      this.messages.clear();
    }
  }

  /** The frames that bring a new subscriber to the text streamed so far, oldest message first. */
  catchUpFrames(sessionId: string): string[] {
    const frames: string[] = [];
    for (const [messageId, { channel, text }] of this.messages) {
      for (let offset = 0; offset < text.length; offset += REPLAY_FRAME_CHARS) {
        frames.push(
          streamFrame(
            sessionId,
            messageId,
            channel,
            text.slice(offset, offset + REPLAY_FRAME_CHARS),
            offset,
          ),
        );
      }
    }
    return frames;
  }
}

/** A `stream` frame (protocol `StreamFrame`), serialized. */
export function streamFrame(
  sessionId: string,
  messageId: string,
  channel: 'text' | 'thinking',
  delta: string,
  offset: number,
): string {
  return JSON.stringify({ type: 'stream', sessionId, messageId, channel, delta, offset });
}
