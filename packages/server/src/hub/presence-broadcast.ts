import { isDeepStrictEqual } from 'node:util';
import type { Attachment } from '@baton/protocol';
import type { Subscription } from './subscription.js';

/** Presence deltas to subscribers are coalesced over this window. */
const PRESENCE_COALESCE_MS = 50;
/**
 * The most attachments a subscriber is told about (besides itself): the session's first
 * PRESENCE_WINDOW attachments in attach order. Like the sessions list's cap, it keeps presence
 * linear in a storm: without it, n joiners each received a list of up to n entries and every
 * join reached every subscriber, n² entries in all (about 200 MB for 1,000 devices).
 */
export const PRESENCE_WINDOW = 50;

/** What the broadcaster needs of its session. */
export interface PresenceSource {
  readonly sessionId: string;
  /** Every subscription, in attach order (a Map keeps insertion order; re-subscribing keeps it). */
  readonly subscriptions: ReadonlyMap<string, Subscription>;
  attachmentOf(sub: Subscription): Attachment;
  /** Presence changed: the sessions list entry (attached, attachedCount) is stale. */
  onChanged(): void;
  /** An attachment through this node joined, changed or left (with many nodes: publish it). */
  onLocalChanged(): void;
}

/**
 * Who is attached to one session, as its subscribers see it (docs/protocol.md, section 8).
 *
 * Every subscriber is told about the **window**, the session's first PRESENCE_WINDOW attachments
 * in attach order, and about itself, plus the total count. Invariant: the window is always a
 * prefix of the subscriptions' order. A join appends and enters the window only while it has
 * room; a member leaving lets the first attachment after the window in (announced to all as
 * joined); a re-subscription keeps its place. So a client that applies the full list it got at
 * subscribe and every delta after it holds exactly the window plus itself.
 *
 * With many nodes, the attachments through other nodes (`setRemote`, each node's own window)
 * follow the window in every list, and the count includes them. They are told as the same
 * deltas; a connection id is a node's own and never names an attachment of another node.
 *
 * Changes to the window are coalesced over PRESENCE_COALESCE_MS and sent to every subscriber as
 * one frame, encoded once. Changes to an attachment outside the window concern only its own
 * connection and go to it alone, at once.
 */
export class PresenceBroadcast {
  private readonly window = new Set<string>();
  private readonly pendingJoined = new Map<string, Attachment>();
  private readonly pendingLeft = new Set<string>();
  private countChanged = false;
  private timer: NodeJS.Timeout | undefined;
  /** See fullFrame: valid until the end of the check phase it was built in. */
  private cache: Buffer | undefined;
  /** Attachments through other nodes, by connection id, and how many there are in all. */
  private remote = new Map<string, Attachment>();
  private remoteCount = 0;

  constructor(private readonly source: PresenceSource) {}

  /** Every attachment, through this node and the others. */
  count(): number {
    return this.source.subscriptions.size + this.remoteCount;
  }

  /** What every subscriber is shown: the window, then the attachments through other nodes. */
  windowAttachments(): Attachment[] {
    return [...this.localWindow(), ...this.remote.values()];
  }

  /** The window's attachments (through this node alone), in attach order. */
  localWindow(): Attachment[] {
    const out: Attachment[] = [];
    for (const [id, sub] of this.source.subscriptions) {
      if (out.length >= this.window.size) break;
      if (this.window.has(id)) out.push(this.source.attachmentOf(sub));
    }
    return out;
  }

  /**
   * A subscription was added (already in `subscriptions`) or re-made for the same connection.
   * Sends the joiner its list once the caller's reply is out (`sendList`), and tells the others.
   */
  joined(sub: Subscription): void {
    const id = sub.peer.connectionId;
    if (!this.window.has(id) && this.window.size < PRESENCE_WINDOW) this.window.add(id);
    this.countChanged = true;
    if (this.window.has(id)) {
      this.pendingLeft.delete(id);
      this.pendingJoined.set(id, this.source.attachmentOf(sub));
    }
    // Outside the window only the joiner itself shows it, and `sendList` tells it.
    this.schedule();
  }

  /**
   * The joiner's full list: the window (shared by every joiner of this check phase) and, when it
   * is outside the window, a delta holding itself alone, so its own entry is never missing.
   */
  sendList(sub: Subscription): void {
    sub.peer.send(this.fullFrame());
    if (!this.window.has(sub.peer.connectionId)) this.sendSelf(sub);
  }

  /** An attachment changed (role, read-only, whose size): everyone who shows it hears of it. */
  changed(sub: Subscription): void {
    const id = sub.peer.connectionId;
    if (!this.window.has(id)) {
      // Only its own connection shows it. Sent at once: nothing else in that list can race it.
      this.sendSelf(sub);
      this.schedule();
      return;
    }
    this.pendingLeft.delete(id);
    this.pendingJoined.set(id, this.source.attachmentOf(sub));
    this.schedule();
  }

  /** A subscription ended and was removed from `subscriptions`. */
  left(connectionId: string): void {
    this.countChanged = true;
    if (this.window.delete(connectionId)) {
      this.pendingJoined.delete(connectionId);
      this.pendingLeft.add(connectionId);
      // The first attachment after the window takes the freed place, keeping it a prefix.
      for (const [id, sub] of this.source.subscriptions) {
        if (this.window.has(id)) continue;
        this.window.add(id);
        this.pendingJoined.set(id, this.source.attachmentOf(sub));
        break;
      }
    }
    this.schedule();
  }

  /**
   * What the other nodes show now (`attached`, at most each node's window; `count` in all):
   * the difference with what they showed is told as one delta.
   */
  setRemote(attached: readonly Attachment[], count: number): void {
    const next = new Map(attached.map((a) => [a.connectionId, a]));
    let changed = count !== this.remoteCount;
    for (const id of this.remote.keys())
      if (!next.has(id)) {
        this.pendingJoined.delete(id);
        this.pendingLeft.add(id);
        changed = true;
      }
    for (const [id, a] of next)
      if (!isDeepStrictEqual(this.remote.get(id), a)) {
        this.pendingLeft.delete(id);
        this.pendingJoined.set(id, a);
        changed = true;
      }
    this.remote = next;
    this.remoteCount = count;
    if (!changed) return;
    this.countChanged = true;
    this.timer ??= setTimeout(() => this.flush(), PRESENCE_COALESCE_MS);
    this.source.onChanged();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * The window, encoded once for every joiner of the same check phase. In a reconnect storm
   * hundreds of subscribes are read in one poll phase and their lists are sent in the following
   * check phase: one encoding serves them all.
   *
   * Why a list shared within one check phase is never wrong for long: every change to the window
   * after it was built is a pending delta, and pending deltas are flushed by a timer — never
   * within the check phase — to every subscriber, this joiner included. So each joiner's list
   * plus the deltas it receives is the window as it is.
   */
  private fullFrame(): Buffer {
    if (this.cache) return this.cache;
    const frame = Buffer.from(
      JSON.stringify({
        type: 'presence',
        sessionId: this.source.sessionId,
        attached: this.windowAttachments(),
        attachedCount: this.count(),
      }),
    );
    this.cache = frame;
    setImmediate(() => (this.cache = undefined));
    return frame;
  }

  private sendSelf(sub: Subscription): void {
    sub.peer.send(
      JSON.stringify({
        type: 'presence.changed',
        sessionId: this.source.sessionId,
        joined: [this.source.attachmentOf(sub)],
        left: [],
        attachedCount: this.count(),
      }),
    );
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), PRESENCE_COALESCE_MS);
    this.source.onChanged();
    this.source.onLocalChanged();
  }

  private flush(): void {
    this.timer = undefined;
    if (this.pendingJoined.size === 0 && this.pendingLeft.size === 0 && !this.countChanged) return;
    const frame = JSON.stringify({
      type: 'presence.changed',
      sessionId: this.source.sessionId,
      joined: [...this.pendingJoined.values()],
      left: [...this.pendingLeft],
      attachedCount: this.count(),
    });
    this.pendingJoined.clear();
    this.pendingLeft.clear();
    this.countChanged = false;
    // Encoded to bytes once: the same delta goes to every subscriber.
    const bytes = Buffer.from(frame);
    for (const sub of this.source.subscriptions.values()) sub.peer.send(bytes);
  }
}
