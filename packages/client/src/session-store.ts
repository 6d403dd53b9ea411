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
import type { WindowLimits } from './event-window.js';
import {
  AGENT_WINDOW,
  SessionLog,
  TERMINAL_WINDOW,
  type SessionBase,
  type SessionLogAdmission,
} from './session-log.js';

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

/** How much of each session's log a client holds in memory (see `EventWindow`). */
export interface RetentionOptions {
  /** Terminal sessions: a short tail of recent output; the screen (snapshot) is the state. */
  terminal?: WindowLimits;
  /** Agent sessions: the recent conversation; `loadOlder` fetches earlier events on request. */
  agent?: WindowLimits;
}

/** Late stream fragments are matched against this many recently finished messages. */
const FINISHED_MEMORY = 256;

/**
 * Everything a window shows for one session: the confirmed log (an optional snapshot `base`
 * plus the recent `events` after it), this device's inputs the log does not contain yet
 * (`pending`, shown on top of the log), streaming fragments and presence.
 *
 * `events` is a bounded window: when `truncated`, events between the base and `firstSeq` were
 * dropped from memory (they stay on the server; `SessionStore.loadOlder` brings them back).
 * `events` is built on first read only (a copy of the window), so a snapshot costs O(1) to make;
 * readers that follow a busy session should use `SessionStore.eventsAfter` instead.
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
  /** The seq of the first event in `events` (`lastSeq + 1` when it is empty). */
  readonly firstSeq: number;
  /** Events between the base and `firstSeq` are not held (see `SessionStore.loadOlder`). */
  readonly truncated: boolean;
  readonly pending: readonly OutboxEntry[];
  readonly streams: readonly StreamBuffer[];
  /**
   * Who is attached: the session's first 50 attachments in attach order, and this connection
   * (the server caps the list; docs/protocol.md, section 8).
   */
  readonly presence: readonly Attachment[];
  /** How many connections are attached in all (at least `presence.length`). */
  readonly presenceCount: number;
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
  /** The session's info changed (its `run` may have moved on). */
  onInfo?(info: SessionInfo): void;
  onError(error: BatonError): void;
  /** A check each event passes in log order before it is applied (sealed sessions). */
  admission?: SessionLogAdmission;
}

/**
 * One subscribed session. Resubscribes from `lastSeq` on every reconnect, so the log continues
 * exactly where it stopped; fills gaps with `fetch`; rebases this device's pending inputs on
 * top of the confirmed log until the log contains them.
 */
export class SessionStore implements ExternalStore<SessionSnapshot> {
  readonly sessionId: SessionId;
  readonly #hooks: SessionStoreHooks;
  readonly #log: SessionLog;
  readonly #retention: Required<RetentionOptions>;
  readonly #listeners = new Set<Listener>();
  readonly #streams = new Map<string, StreamBuffer>();
  /**
   * Recently finished messages (final event arrived); late fragments for them are dropped.
   * Bounded: a Set iterates in insertion order, so the oldest entry is the first one.
   */
  readonly #finished = new Set<string>();
  readonly #unsubscribeOutbox: () => void;
  #readOnly: boolean;
  #status: SubscriptionStatus = 'offline';
  #replayedThrough = 0;
  #info: SessionInfo | undefined;
  #presence: readonly Attachment[] = [];
  /** The total the server last reported; undefined from servers that predate the cap. */
  #presenceCount: number | undefined;
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
  #loadingOlder: Promise<number> | undefined;
  #snapshot: SessionSnapshot | undefined;

  constructor(
    sessionId: SessionId,
    readOnly: boolean,
    hooks: SessionStoreHooks,
    retention: RetentionOptions = {},
  ) {
    this.sessionId = sessionId;
    this.#readOnly = readOnly;
    this.#hooks = hooks;
    this.#retention = {
      terminal: retention.terminal ?? TERMINAL_WINDOW,
      agent: retention.agent ?? AGENT_WINDOW,
    };
    // Until the kind is known, hold no more than a terminal would: the tighter bound.
    this.#log = new SessionLog(this.#retention.terminal, hooks.admission);
    this.#unsubscribeOutbox = hooks.outbox.subscribe(() => this.#outboxChanged());
  }

  get status(): SubscriptionStatus {
    return this.#status;
  }

  /**
   * The session's head when the current subscription was answered: events up to it are history
   * being replayed (their terminal queries were asked of the windows of that time), later ones
   * are live. 0 before the first subscription is answered.
   */
  get replayedThrough(): number {
    return this.#replayedThrough;
  }

  /**
   * Whether history is still being replayed: the subscription has not been answered yet (the
   * server answers before it replays, but a client that reads several frames at once may apply
   * replayed events before it handles the answer), or the events up to the head it was answered
   * with (`replayedThrough`) have not all been applied. The store notifies for every change
   * regardless; a view may draw less often meanwhile (the React hooks draw at most once per
   * frame) and at once when this turns false.
   */
  get catchingUp(): boolean {
    return (
      this.#status === 'subscribing' ||
      (this.#status === 'live' && this.#log.lastSeq < this.#replayedThrough)
    );
  }

  get lastSeq(): number {
    return this.#log.lastSeq;
  }

  get readOnly(): boolean {
    return this.#readOnly;
  }

  /** The epoch of the log this store's position (`lastSeq`) is in. */
  get epoch(): string | undefined {
    return this.#log.epoch;
  }

  /** The session's info as last seen (subscribe reply, sessions list or snapshot). */
  get info(): SessionInfo | undefined {
    return this.#info;
  }

  /** The snapshot base the held events continue from. */
  get base(): SessionBase | undefined {
    return this.#log.base;
  }

  /** How many events are held in memory (bounded by the retention limits). */
  get heldCount(): number {
    return this.#log.heldCount;
  }

  /**
   * The held events with `seq > afterSeq`, without copying the window: O(k) for k events. For
   * views that write each new event once (a terminal). `undefined` when some of those events
   * are no longer held; such a view starts again from `base` (or calls `resync`).
   */
  eventsAfter(afterSeq: number): readonly LogEvent[] | undefined {
    return this.#log.eventsAfter(afterSeq);
  }

  /**
   * Fetches up to `count` events before the first held one from the server and puts them in
   * front of `events` (for scrolling back in a conversation). Resolves with how many were
   * added: 0 when nothing older is stored after the base. Calls made while one runs share it.
   */
  loadOlder(count = 500): Promise<number> {
    this.#loadingOlder ??= this.#fetchOlder(count).finally(() => {
      this.#loadingOlder = undefined;
    });
    return this.#loadingOlder;
  }

  /**
   * Forgets the held log and subscribes again from the start, so the server sends the current
   * state (a terminal's screen as a snapshot). For a view that needs events no longer held.
   */
  resync(): void {
    if (this.#status === 'closed') return;
    this.#log.reset();
    this.#streams.clear();
    this.#changed();
    if (this.#status === 'live' || this.#status === 'subscribing') this.attach();
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
        // With the epoch, a position from another history of the log (a restored backup) or
        // beyond the head is answered with a `reset` snapshot, never with silence.
        ...(this.#log.epoch !== undefined ? { epoch: this.#log.epoch } : {}),
        ...(this.#readOnly ? { readOnly: true } : {}),
      })
      .then(
        (result) => {
          if (generation !== this.#generation || this.#status === 'closed') return;
          this.#log.adoptEpoch(result.epoch);
          this.#replayedThrough = result.headSeq;
          if (!this.#infoFresh) this.#setInfo(result.session);
          if (!this.#presenceFresh) {
            this.#presence = result.session.attached;
            this.#presenceCount = result.session.attachedCount;
          }
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
        this.#setInfo(base.state.session);
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
    const held = this.#streams.get(message.messageId)?.text ?? '';
    // `offset` says where the fragment starts: a joiner's catch-up frame (offset 0) replaces
    // what this window held, a repeated fragment overwrites itself. Without it (older servers),
    // fragments are appended.
    const kept = message.offset === undefined ? held : held.slice(0, message.offset);
    if (kept.length < (message.offset ?? 0)) return; // a fragment after a gap: wait for the event
    this.#streams.set(message.messageId, {
      messageId: message.messageId,
      channel: message.channel,
      text: kept + message.delta,
    });
    this.#changed();
  }

  handlePresence(message: PresenceMessage): void {
    if (this.#status === 'closed') return;
    this.#presence = message.attached;
    this.#presenceCount = message.attachedCount;
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
    if (message.attachedCount !== undefined) this.#presenceCount = message.attachedCount;
    this.#presenceFresh = true;
    this.#changed();
  }

  /** The sessions list saw a newer version of this session. */
  handleInfo(info: SessionInfo): void {
    if (this.#status === 'closed') return;
    this.#setInfo(info);
    this.#infoFresh = true;
    this.#changed();
  }

  #setInfo(info: SessionInfo): void {
    this.#info = info;
    this.#hooks.onInfo?.(info);
    this.#log.setLimits(
      info.kind === 'terminal' ? this.#retention.terminal : this.#retention.agent,
    );
  }

  async #fetchOlder(count: number): Promise<number> {
    const floor = this.#log.base?.seq ?? 0;
    const first = this.#log.firstSeq;
    if (first - 1 <= floor) return 0;
    const afterSeq = Math.max(floor, first - 1 - count);
    const generation = this.#generation;
    const epoch = this.#log.epoch;
    let result;
    try {
      result = await this.#hooks.connection.request({
        type: 'fetch',
        sessionId: this.sessionId,
        afterSeq,
        limit: first - 1 - afterSeq,
        ...(epoch !== undefined ? { epoch } : {}),
      });
    } catch (error) {
      if (error instanceof BatonError && error.code === 'epoch_changed') {
        if (generation === this.#generation) this.attach();
        return 0;
      }
      throw error;
    }
    // A snapshot or reconnect in between may have moved the window: only exact fits are used.
    if (generation !== this.#generation || result.compacted || result.epoch !== this.#log.epoch)
      return 0;
    const added = this.#log.prependOlder(result.events);
    if (added > 0) this.#changed();
    return added;
  }

  #applied(events: readonly LogEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) {
      if (event.type === 'agent.text' || event.type === 'agent.thinking') {
        this.#finished.add(event.data.messageId);
        if (this.#finished.size > FINISHED_MEMORY) {
          const oldest = this.#finished.values().next().value;
          if (oldest !== undefined) this.#finished.delete(oldest);
        }
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
        ...(this.#log.epoch !== undefined ? { epoch: this.#log.epoch } : {}),
      })
      .then(
        (result) => {
          this.#fetching = false;
          if (generation !== this.#generation) return;
          // A reset snapshot arrived meanwhile: these events belong to the old history.
          if (this.#log.epoch !== undefined && result.epoch !== this.#log.epoch) {
            this.#fillGap();
            return;
          }
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
          if (generation !== this.#generation) return;
          // The log is not the one our position is in: subscribing again (with our epoch) makes
          // the server send a `reset` snapshot to start over from.
          if (error.code === 'epoch_changed') {
            this.attach();
            return;
          }
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
    const log = this.#log;
    const lastSeq = log.lastSeq;
    const base = log.base;
    let events: readonly LogEvent[] | undefined;
    return {
      sessionId: this.sessionId,
      status: this.#status,
      readOnly: this.#readOnly,
      info: this.#info,
      lastSeq,
      base,
      // Built on first read and kept, so a snapshot costs O(1) for readers that never look at
      // `events`. The log only grows at the end, so a late read of a superseded snapshot still
      // sees its own events (up to its `lastSeq`), minus any dropped since; after a new base
      // it sees none.
      get events(): readonly LogEvent[] {
        events ??= log.base === base ? log.eventsUpTo(lastSeq) : [];
        return events;
      },
      firstSeq: log.firstSeq,
      truncated: log.truncated,
      pending: this.#pending(),
      streams: [...this.#streams.values()],
      presence: this.#presence,
      presenceCount: Math.max(this.#presenceCount ?? 0, this.#presence.length),
      error: this.#error,
    };
  }
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
