import { DocumentState, SessionId } from '@baton/protocol';
import type { SharedOutboxChange } from './outbox.js';
import type { SharedDocumentChange } from './shared-documents.js';

/**
 * The part of the browser's `BroadcastChannel` this uses (Node has one too). Every window of a
 * browser profile that opens a channel of the same name hears what the others post, within the
 * same event loop turn of the sender's post: no server, no socket.
 */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/** One message between windows of a device. `v` lets a newer build skip an older one's. */
export type TabMessage = { v: 1 } & (
  | { topic: 'outbox'; change: SharedOutboxChange }
  | { topic: 'documents'; change: SharedDocumentChange }
);

/** Where a window hands what it hears from the others. */
export interface TabSyncTarget {
  outbox(change: SharedOutboxChange): void;
  documents(change: SharedDocumentChange): void;
}

/**
 * Cross-tab sync of one device's windows: what one window adds to its outbox, queues as an
 * offline document write or learns of a document reaches the others at once, without waiting
 * for the server. Each window still has its own connection; what the server later confirms
 * converges with what was shared because both carry the same ids (an input's id, a document's
 * version), so nothing shows twice.
 *
 * Messages come from other windows, possibly of another build: anything that does not fit is
 * skipped with a warning, never applied.
 */
export class TabSync {
  readonly #channel: BroadcastChannelLike;

  readonly #warn: (message: string) => void;

  constructor(
    channel: BroadcastChannelLike,
    target: TabSyncTarget,
    warn: (message: string) => void,
  ) {
    this.#channel = channel;
    this.#warn = warn;
    channel.addEventListener('message', (event) => {
      const message = parseTabMessage(event.data);
      if (message === undefined) {
        warn('skipped a message from another window that this build cannot read');
        return;
      }
      if (message.topic === 'outbox') target.outbox(message.change);
      else target.documents(message.change);
    });
  }

  post(message: TabMessage): void {
    try {
      this.#channel.postMessage(message);
    } catch (error) {
      // A value that cannot be cloned, or a closed channel: the other windows learn it from the
      // server instead, a moment later.
      this.#warn(`could not tell the other windows: ${String(error)}`);
    }
  }

  close(): void {
    this.#channel.close();
  }
}

/** The message, or undefined when it is not one this build reads. */
export function parseTabMessage(data: unknown): TabMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as { v?: unknown; topic?: unknown; change?: unknown };
  if (m.v !== 1 || typeof m.change !== 'object' || m.change === null) return undefined;
  const change = m.change as Record<string, unknown>;
  if (m.topic === 'outbox') {
    // The record itself is checked by `Outbox.adopt`, which takes only valid ones.
    if (change['kind'] === 'added' && typeof change['record'] === 'object') return m as TabMessage;
    if (change['kind'] === 'discarded' && typeof change['inputId'] === 'string')
      return m as TabMessage;
    if (
      change['kind'] === 'acknowledged' &&
      SessionId.safeParse(change['sessionId']).success &&
      typeof change['inputId'] === 'string' &&
      Number.isSafeInteger(change['seq']) &&
      (change['seq'] as number) > 0
    )
      return m as TabMessage;
    return undefined;
  }
  if (m.topic === 'documents') {
    if (change['kind'] === 'document')
      return SessionId.safeParse(change['sessionId']).success &&
        DocumentState.safeParse(change['document']).success
        ? (m as TabMessage)
        : undefined;
    // A pending write is checked by `SharedDocuments.handlePeer`.
    if (change['kind'] === 'pending' && typeof change['write'] === 'object') return m as TabMessage;
    if (change['kind'] === 'settled' && typeof change['id'] === 'string') {
      const result = change['result'] as { status?: unknown; document?: unknown } | undefined;
      const error = change['error'] as { code?: unknown; message?: unknown } | undefined;
      const resultOk =
        result === undefined ||
        ((result.status === 'committed' || result.status === 'conflict') &&
          DocumentState.safeParse(result.document).success &&
          Array.isArray((result as { conflicts?: unknown }).conflicts));
      const errorOk =
        error === undefined ||
        (typeof error.code === 'string' && typeof error.message === 'string');
      return resultOk && errorOk ? (m as TabMessage) : undefined;
    }
  }
  return undefined;
}
