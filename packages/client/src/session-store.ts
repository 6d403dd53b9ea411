import type {
  Attachment,
  LogEvent,
  ReceivedLogEvent,
  PresenceMessage,
  PresenceChangedMessage,
  SessionId,
  SessionInfo,
  SnapshotMessage,
  StreamMessage,
} from '@baton/protocol';
import { BatonError } from './baton-error.js';
import type { Connection } from './connection.js';
import type { ExternalStore, Listener } from './observable-value.js';
import type { Outbox, OutboxEntry } from './outbox.js';
import { SessionLog, type SessionBase } from './session-log.js';

/**
 * State of this client's subscription to a session.
 * - `subscribing`: `subscribe` sent, replay not started.
 * - `live`: replaying what was missed, then live; inputs flow.
 * - `offline`: the link is down; the subscription resumes from `lastSeq` on reconnect.
 * - `error`: the server refused the subscription (`error` says why, e.g. `not_found`).
 * - `closed`: unsubscribed; the store no longer changes.
 */
export type SubscriptionStatus = 'subscribing' | 'live' | 'offline' | 'error' | 'closed';

/** Agent output still streaming: the fragments of one message so far. Not part of the log. */
export interface StreamBuffer {
  readonly messageId: string;
  readonly channel: 'text' | 'thinking';
  readonly text: string;
}

/**
 * Everything a window shows for one session: the confirmed log (an optional snapshot `base`
 * plus the `events` after it), this device's inputs the log does not contain yet (`pending`,
 * shown on top of the log), streaming fragments and presence.
 */
export interface SessionSnapshot {
  readonly sessionId: SessionId;
  readonly status: SubscriptionStatus;
  readonly readOnly: boolean;
  readonly info: SessionInfo | undefined;
  /** The highest sequence number applied; the next event applied will be `lastSeq + 1`. */
  readonly lastSeq: number;
  readonly base: SessionBase | undefined;
  readonly events: readonly LogEvent[];
  readonly pending: readonly OutboxEntry[];
  readonly streams: readonly StreamBuffer[];
  readonly presence: readonly Attachment[];
  readonly error: BatonError | undefined;
}

/** What a session store needs from the client around it. */
export interface SessionStoreHooks {
  connection: Pick<Connection, 'request'>;
  outbox: Outbox;
  /** Events newly applied to the confirmed log, in order. */
  onApplied(sessionId: SessionId, events: readonly LogEvent[]): void;
  onSnapshot(sessionId: SessionId, base: SessionBase): void;
  /** The subscription is live on the current connection: queued inputs may go. */
  onLive(sessionId: SessionId): void;
  onError(error: BatonError): void;
}

/**
 * One subscribed session. Resubscribes from `lastSeq` on every reconnect, so the log continues
 * exactly where it stopped; fills gaps with `fetch`; rebases this device's pending inputs on
 * top of the confirmed log until the log contains them.
 */
export class SessionStore implements ExternalStore<SessionSnapshot> {
  readonly sessionId: SessionId;
  readonly #hooks: SessionStoreHooks;
  readonly #log = new SessionLog();
  readonly #listeners = new Set<Listener>();
  readonly #streams = new Map<string, StreamBuffer>();
  /** Messages whose final event arrived; late fragments for them are dropped. */
  readonly #finished = new Set<string>();
  readonly #unsubscribeOutbox: () => void;
  #readOnly: boolean;
  #status: SubscriptionStatus = 'offline';
  #info: SessionInfo | undefined;
  #presence: readonly Attachment[] = [];
  #error: BatonError | undefined;
  #generation = 0;
  /**
   * Whether a presence frame arrived since the last `subscribe` went out. Replies resolve a
   * microtask after their frame, and frames read from one network chunk are handled before
   * that, so a later presence frame may be seen before the reply: the reply must not overwrite it.
   */
  #presenceFresh = false;
  /** The same for the session's info (from `sessions.changed` or a snapshot). */
  #infoFresh = false;
  #fetching = false;
  #snapshot: SessionSnapshot | undefined;

  constructor(sessionId: SessionId, readOnly: boolean, hooks: SessionStoreHooks) {
    this.sessionId = sessionId;
    this.#readOnly = readOnly;
    this.#hooks = hooks;
    this.#unsubscribeOutbox = hooks.outbox.subscribe(() => this.#outboxChanged());
  }

  get status(): SubscriptionStatus {
    return this.#status;
  }

  get lastSeq(): number {
    return this.#log.lastSeq;
  }

  get readOnly(): boolean {
    return this.#readOnly;
  }

  readonly subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): SessionSnapshot => {
    this.#snapshot ??= this.#build();
    return this.#snapshot;
  };

  /** Subscribes on the current connection, resuming after `lastSeq`. */
  attach(): void {
    if (this.#status === 'closed') return;
    const generation = ++this.#generation;
    this.#status = 'subscribing';
    this.#error = undefined;
    this.#presenceFresh = false;
    this.#infoFresh = false;
    this.#changed();
    this.#hooks.connection
      .request({
        type: 'subscribe',
        sessionId: this.sessionId,
        afterSeq: this.#log.lastSeq,
        ...(this.#readOnly ? { readOnly: true } : {}),
      })
      .then(
        (result) => {
          if (generation !== this.#generation || this.#status === 'closed') return;
          if (!this.#infoFresh) this.#info = result.session;
          if (!this.#presenceFresh) this.#presence = result.session.attached;
          this.#status = 'live';
          this.#changed();
          this.#hooks.onLive(this.sessionId);
          this.#fillGap();
        },
        (error: BatonError) => {
          if (generation !== this.#generation || this.#status === 'closed') return;
          this.#status = error.code === 'disconnected' ? 'offline' : 'error';
          this.#error = error;
          this.#changed();
          if (this.#status === 'error') this.#hooks.onError(error);
        },
      );
  }

  /** The link dropped: streams are cut short and the subscription waits for the next connection. */
  detach(): void {
    if (this.#status === 'closed') return;
    this.#generation++;
    this.#status = 'offline';
    this.#streams.clear();
    this.#changed();
  }

  /** Unsubscribed: the store stops changing. */
  close(): void {
    this.#generation++;
    this.#status = 'closed';
    this.#streams.clear();
    this.#unsubscribeOutbox();
    this.#changed();
  }

  /** Changes the read-only flag; takes effect with the next `attach`. */
  setReadOnly(readOnly: boolean): void {
    if (readOnly === this.#readOnly) return;
    this.#readOnly = readOnly;
    this.#changed();
  }

  handleEvent(event: ReceivedLogEvent): void {
    if (this.#status === 'closed') return;
    this.#applied(this.#log.offer(event));
    this.#fillGap();
  }

  handleSnapshot(message: SnapshotMessage): void {
    if (this.#status === 'closed') return;
    const after = this.#log.applySnapshot(message);
    const base = this.#log.base;
    if (base) {
      if (base.state === undefined) {
        this.#hooks.onError(
          new BatonError('bad_reply', `snapshot of ${this.sessionId} has an unknown state shape`),
        );
      }
      if (base.state) {
        this.#info = base.state.session;
        this.#infoFresh = true;
      }
      this.#hooks.onSnapshot(this.sessionId, base);
    }
    this.#applied(after);
    this.#changed();
    this.#fillGap();
  }

  handleStream(message: StreamMessage): void {
    const attached = this.#status === 'live' || this.#status === 'subscribing';
    if (!attached || this.#finished.has(message.messageId)) return;
    const current = this.#streams.get(message.messageId);
    this.#streams.set(message.messageId, {
      messageId: message.messageId,
      channel: message.channel,
      text: (current?.text ?? '') + message.delta,
    });
    this.#changed();
  }

  handlePresence(message: PresenceMessage): void {
    if (this.#status === 'closed') return;
    this.#presence = message.attached;
    this.#presenceFresh = true;
    this.#changed();
  }

  /** Applies a presence delta: `left` first, then `joined` (replacing by connection id). */
  handlePresenceChanged(message: PresenceChangedMessage): void {
    if (this.#status === 'closed') return;
    const gone = new Set([...message.left, ...message.joined.map((a) => a.connectionId)]);
    this.#presence = [
      ...this.#presence.filter((a) => !gone.has(a.connectionId)),
      ...message.joined,
    ];
    this.#presenceFresh = true;
    this.#changed();
  }

  /** The sessions list saw a newer version of this session. */
  handleInfo(info: SessionInfo): void {
    if (this.#status === 'closed') return;
    this.#info = info;
    this.#infoFresh = true;
    this.#changed();
  }

  #applied(events: readonly LogEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) {
      if (event.type === 'agent.text' || event.type === 'agent.thinking') {
        this.#finished.add(event.data.messageId);
        this.#streams.delete(event.data.messageId);
      } else if (event.type === 'agent.turn.ended') {
        this.#streams.clear();
      }
    }
    this.#hooks.outbox.forgetConfirmed(this.sessionId, this.#log.lastSeq);
    this.#changed();
    this.#hooks.onApplied(this.sessionId, events);
  }

  /**
   * Fetches the events between `lastSeq` and the first held-back event. When they are gone
   * (`compacted`) or the server has nothing to fill the gap with, subscribing again makes the
   * server send a snapshot instead of a partial history.
   */
  #fillGap(): void {
    if (this.#fetching || this.#status !== 'live') return;
    const range = this.#log.missing();
    if (!range) return;
    this.#fetching = true;
    const generation = this.#generation;
    this.#hooks.connection
      .request({
        type: 'fetch',
        sessionId: this.sessionId,
        afterSeq: range.afterSeq,
        limit: range.limit,
      })
      .then(
        (result) => {
          this.#fetching = false;
          if (generation !== this.#generation) return;
          const applied = this.#log.offerFetched(result.events);
          this.#applied(applied);
          if (result.compacted || applied.length === 0) {
            this.attach();
            return;
          }
          this.#fillGap();
        },
        (error: BatonError) => {
          this.#fetching = false;
          // A dropped link resubscribes from lastSeq anyway; anything else is worth reporting.
          if (error.code !== 'disconnected' && error.code !== 'closed') this.#hooks.onError(error);
        },
      );
  }

  /** Another session's inputs changing must not give this snapshot a new identity. */
  #outboxChanged(): void {
    const previous = this.#snapshot?.pending;
    if (previous && sameItems(previous, this.#pending())) return;
    this.#changed();
  }

  #pending(): readonly OutboxEntry[] {
    const lastSeq = this.#log.lastSeq;
    return this.#hooks.outbox
      .getSnapshot()
      .filter(
        (entry) =>
          entry.sessionId === this.sessionId &&
          !this.#log.hasInput(entry.inputId) &&
          !(entry.seq !== undefined && entry.seq <= lastSeq),
      );
  }

  #changed(): void {
    this.#snapshot = undefined;
    for (const listener of [...this.#listeners]) listener();
  }

  #build(): SessionSnapshot {
    return {
      sessionId: this.sessionId,
      status: this.#status,
      readOnly: this.#readOnly,
      info: this.#info,
      lastSeq: this.#log.lastSeq,
      base: this.#log.base,
      events: this.#log.events.slice(),
      pending: this.#pending(),
      streams: [...this.#streams.values()],
      presence: this.#presence,
      error: this.#error,
    };
  }
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
