import {
  isKnownLogEvent,
  type SessionControl,
  type ControlAction,
  type ControlDevice,
  type AgentConfig,
  type Attachment,
  type WireInputPayload,
  type SealedTerminalChecks,
  isSealedPayload,
  isSealedLogEvent,
  type SessionSealing,
  type SealedEnvelopeShape,
  type LogEvent,
  type NewLogEvent,
  type PermissionDecision,
  type RunnerSnapshot,
  type SessionHost,
  type SessionInfo,
  type SessionKind,
  type SessionStatus,
  type TerminalConfig,
} from '@baton/protocol';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BatonError } from '../baton-error.js';
import type { SealGate } from './seal-gate.js';
import type { ChildRegistry } from '../runners/child-processes/child-registry.js';
import type { Logger } from '../logger.js';
import { snapshotJsonOf, type Projection, type SnapshotJson } from '../projections/projection.js';
import { HostSnapshotProjection } from '../projections/host-snapshot-projection.js';
import {
  RunnerError,
  type InputEvent,
  type RunnerFactory,
  type SealedFragment,
} from '../runners/runner.js';
import type { SessionRecord, Store } from '../storage/store.js';
import { CommitFrames } from './commit-frames.js';
import { parseStored, type CommittedEvent } from './event-frame.js';
import { storedDuplicateOf } from './input-dedupe.js';
import { InputWithdrawals } from './input-withdrawals.js';
import { InOrderAppends } from './in-order-appends.js';
import { InputsInFlight } from './inputs-in-flight.js';
import { withAttachmentInfo } from '../attachments/message-attachments.js';
import { SessionDocuments } from './documents/session-documents.js';
import { duplicateOrStale, isStaleRun } from './input-run.js';
import { isStalePosition } from './log-position.js';
import { NOT_OWNER, type SessionLogState, type LogWriter } from './log-writer.js';
import { chooseResponder } from './terminal-responder.js';
import { ResponderHistory } from './responder-history.js';
import { TerminalSizePolicy, type Decision } from './terminal-size-policy.js';
import type { Actor, Peer } from './peer.js';
import { redactConfig } from './redact-config.js';
import { replayFailed } from './replay-failure.js';
import { RunnerSupervisor } from './runner-supervisor.js';
import { nextControl } from './control-transitions.js';
import { RecentFrames } from './recent-frames.js';
import { CatchUp } from './catch-up.js';
import { SessionRetention } from './session-retention.js';
import { Subscription } from './subscription.js';
import { parseControl } from './stored-control.js';
import { attachmentOf } from './attachment-of.js';
import { PresenceBroadcast } from './presence-broadcast.js';
import { SealedFragments } from './sealed-fragments.js';
import { StreamingText, streamFrame } from './streaming-text.js';
import { SessionAttentionTracker } from './summary/session-attention.js';
import { SessionPreview } from './summary/session-preview.js';
import { SessionUsageTracker } from './summary/session-usage.js';

/** The longest an interrupt waits for the inputs received before it to reach the runner. */
const INTERRUPT_WAITS_FOR_INPUTS_MS = 3_000;

/**
 * Recent committed frames kept per session for catching up subscribers that were away briefly
 * (RecentFrames); bounded so that a session costs at most this much memory for them.
 */
const RECENT_EVENTS = 2048;
const RECENT_BYTES = 512 * 1024;

export interface LiveSessionDeps {
  store: Store;
  writer: LogWriter;
  log: Logger;
  dataDir: string;
  runnerFactory: RunnerFactory | undefined;
  children: ChildRegistry;
  projection: Projection;
  retentionEvents: number;
  /** See `RunnerContext.deviceName`. */
  deviceName?(deviceId: string): string | undefined;
  /** On a relay: the host a session runs on, with its online state (`SessionInfo.host`). */
  describeHost?(hostId: string): SessionHost;
  /** On a relay: which sessions are sealed, and the check of their inputs. */
  sealing?: SealGate;
  /** The session's list entry changed; `urgent` for status, name and presence changes. */
  onInfoChanged(session: LiveSession, urgent: boolean): void;
  /** An attachment through this node joined, changed or left (many nodes: others are told). */
  onPresenceChanged?(session: LiveSession): void;
}

/**
 * One session while this server owns it: its log counters, projection, runner, inbox and the
 * connections attached to it. All of a session's appends go through the shared LogWriter; all
 * of its fan-out happens in `onCommitted`, after the commit, in sequence order.
 */
export class LiveSession {
  readonly id: string;
  readonly kind: SessionKind;
  readonly createdAt: number;
  readonly config: TerminalConfig & AgentConfig;
  name: string;
  status: SessionStatus;
  reason: string | undefined;
  exitCode: number | undefined;
  /** Why the session's writes fail right now (the store cannot write); undefined when healthy. */
  degraded: string | undefined;
  /**
   * Who may steer the session: changed only by a committed `control.changed` event (applied in
   * `onCommitted`), so it always matches what every subscriber has seen in log order.
   */
  control: SessionControl;
  /** Control changes run one after another: each computes its next state from the last one's. */
  private controlChain: Promise<unknown> = Promise.resolve();
  readonly logState: SessionLogState;
  /** The highest seq committed and applied; subscribers never see beyond it. */
  committedSeq: number;
  /** The oldest seq still stored. */
  firstSeq: number;
  /** The epoch of this session's log: positions (seq) mean something only within it. */
  epoch: string;
  readonly subscriptions = new Map<string, Subscription>();
  private readonly runners: RunnerSupervisor;
  /** Whose window size the PTY has (`TerminalSizePolicy`); also knows the latest writer. */
  private readonly sizePolicy = new TerminalSizePolicy();
  private readonly responders = new ResponderHistory();
  /** With many nodes: the attachments through other nodes (RemotePresence), in their order. */
  private remoteAttachments: readonly Attachment[] = [];
  private size: { cols: number; rows: number };
  private deleted = false;
  /** Who is attached, as each subscriber is told (the window, itself and the count). */
  private readonly presence: PresenceBroadcast;
  private readonly recent = new RecentFrames(RECENT_EVENTS, RECENT_BYTES);
  /** Whether the session waits for a person, and its last line: for the sessions list. */
  private readonly attention = new SessionAttentionTracker();
  private readonly preview = new SessionPreview();
  private readonly usage = new SessionUsageTracker();
  /** Agent text streamed but not yet committed: what a joiner needs of the turn in progress. */
  private readonly streaming = new StreamingText();
  /** A sealed session's fragments streamed but not yet finished, as relayed (SealedFragments). */
  private readonly sealedFragments = new SealedFragments();
  /** Which queued messages were withdrawn and which a turn took: the gate to the agent. */
  private readonly withdrawals = new InputWithdrawals();
  /** Messages whose attachments are looked up keep their place among the others. */
  private readonly inOrder = new InOrderAppends();
  private readonly inFlight = new InputsInFlight();
  /** The session's shared documents (`doc.*` requests). */
  readonly documents: SessionDocuments;
  /** Brings each new or resumed subscriber up to the committed head, then live. */
  private readonly catchUps: CatchUp;
  /** Checkpoints and compaction of this session's log. */
  private readonly retention: SessionRetention;

  constructor(
    record: SessionRecord,
    private readonly deps: LiveSessionDeps,
  ) {
    this.id = record.id;
    this.kind = record.kind;
    this.createdAt = record.createdAt;
    this.config = JSON.parse(record.config) as TerminalConfig & AgentConfig;
    this.name = record.name;
    this.status = record.status;
    this.reason = record.reason;
    this.exitCode = record.exitCode;
    this.logState = {
      sessionId: record.id,
      headSeq: record.headSeq,
      lastActivityAt: record.lastActivityAt,
    };
    this.committedSeq = record.headSeq;
    this.firstSeq = record.firstSeq;
    this.epoch = record.epoch;
    this.control = parseControl(record.control, deps.log, record.id);
    this.size = { cols: this.config.cols ?? 80, rows: this.config.rows ?? 24 };
    this.runners = new RunnerSupervisor(this, {
      factory: deps.runnerFactory,
      children: deps.children,
      store: deps.store,
      projection: deps.projection,
      log: deps.log,
      dataDir: deps.dataDir,
      ...(deps.deviceName ? { deviceName: deps.deviceName } : {}),
    });
    this.presence = new PresenceBroadcast({
      sessionId: this.id,
      subscriptions: this.subscriptions,
      attachmentOf: (sub) => this.attachmentOf(sub),
      onChanged: () => this.deps.onInfoChanged(this, false),
      onLocalChanged: () => this.deps.onPresenceChanged?.(this),
    });
    this.retention = new SessionRetention(this, {
      store: deps.store,
      projection: deps.projection,
      retentionEvents: deps.retentionEvents,
      log: deps.log,
    });
    const { streaming, sealedFragments } = this;
    this.catchUps = new CatchUp(this, {
      store: deps.store,
      log: deps.log,
      recent: this.recent,
      liveFrames: function* () {
        yield* streaming.catchUpFrames(record.id);
        yield* sealedFragments.catchUpFrames();
      },
    });
    this.documents = new SessionDocuments({
      sessionId: this.id,
      store: deps.store,
      log: deps.log,
      append: async (change, document, once) => {
        const events = [{ type: 'doc.changed' as const, data: change }];
        if (once === undefined)
          return { duplicate: false, committed: await this.append(events, undefined, [document]) };
        if (this.deleted) throw new BatonError('not_found', `session ${this.id} was deleted`);
        return this.deps.writer.appendOnce(this.logState, events, once, [document]);
      },
    });
  }

  /** A sealed session's host and key epoch; undefined for a plaintext session. */
  get sealed(): SessionSealing | undefined {
    const host = this.config.host;
    return host === undefined ? undefined : this.deps.sealing?.describe(this.id, host);
  }

  get isAgent(): boolean {
    return this.kind !== 'terminal';
  }

  /** With many nodes: whether another node owns the session (this one only follows its log). */
  get following(): boolean {
    return this.logState.lease === NOT_OWNER;
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  info(): SessionInfo {
    const info: SessionInfo = {
      id: this.id,
      name: this.name,
      kind: this.kind,
      status: this.status,
      createdAt: this.createdAt,
      lastActivityAt: this.logState.lastActivityAt,
      headSeq: this.committedSeq,
      run: this.runners.run,
      epoch: this.epoch,
      config: redactConfig(this.config as Record<string, unknown>),
      // The same first attachments a subscriber's presence shows (and the total count).
      attached: this.presence.windowAttachments(),
      attachedCount: this.presence.count(),
    };
    if (this.reason !== undefined) info.reason = this.reason;
    if (this.exitCode !== undefined) info.exitCode = this.exitCode;
    if (this.degraded !== undefined) info.degraded = this.degraded;
    if (this.control.state !== 'open') info.control = this.control;
    const attention = this.attention.current;
    if (attention !== undefined) info.attention = attention;
    const preview = this.preview.current;
    if (preview !== undefined) info.preview = preview;
    const usage = this.usage.current;
    if (usage !== undefined) info.usage = usage;
    if (this.config.host !== undefined && this.deps.describeHost)
      info.host = this.deps.describeHost(this.config.host);
    const sealed = this.sealed;
    if (sealed) info.sealed = sealed;
    return info;
  }

  /** Every attachment, in attach order (subscribers are shown only the window). */
  attachments(): Attachment[] {
    return [...this.subscriptions.values()].map((s) => this.attachmentOf(s));
  }

  /** With many nodes: what this node shows to the others (its window and its count). */
  localPresence(): { count: number; attached: Attachment[] } {
    return { count: this.subscriptions.size, attached: this.presence.localWindow() };
  }

  /**
   * With many nodes: the attachments through the other nodes (their windows, and the count).
   * On the owner, a window of another node that left gives up its size as a local one does.
   */
  setRemotePresence(attached: readonly Attachment[], count: number): void {
    const now = new Set(attached.map((a) => a.connectionId));
    const gone = this.remoteAttachments.filter((a) => !now.has(a.connectionId));
    this.remoteAttachments = attached;
    this.presence.setRemote(attached, count);
    if (this.following || this.kind !== 'terminal') return;
    for (const a of gone) this.applySizeDecision(this.sizePolicy.left(a.connectionId));
  }

  /** Marks the session degraded (its writes fail) or healthy; every session list hears of it. */
  setDegraded(reason: string | undefined): void {
    if (reason === this.degraded) return;
    this.degraded = reason;
    this.deps.onInfoChanged(this, true);
  }

  /** Appends events on the session's own behalf (status, rename, created). */
  append(
    events: NewLogEvent[],
    patch?: Parameters<LogWriter['append']>[2],
    documents?: Parameters<LogWriter['append']>[3],
  ): Promise<CommittedEvent[]> {
    if (this.deleted)
      return Promise.reject(new BatonError('not_found', `session ${this.id} was deleted`));
    return this.deps.writer.append(this.logState, events, patch, documents);
  }

  /**
   * Called by the hub right after a commit that holds events of this session, in seq order.
   * Updates the derived fields, the projection and every live subscriber.
   */
  onCommitted(events: CommittedEvent[]): void {
    let urgent = false;
    let outputFrom: number | undefined;
    for (const ev of events) {
      this.committedSeq = ev.seq;
      this.recent.push(ev);
      const e = ev.event;
      // Its type and envelope id only: what ends a sealed reply in progress.
      this.sealedFragments.committed(e);
      // A sealed body is an envelope: nothing here may read it (its seq and type still count).
      // Sealed or not, it may be output that asks the windows something.
      if (isSealedLogEvent(e) || e.type === 'terminal.output') outputFrom ??= ev.seq;
      if (isSealedLogEvent(e)) continue;
      if (e.type === 'session.status') {
        this.status = e.data.status;
        this.reason = e.data.reason;
        this.exitCode = e.data.exitCode;
        urgent = true;
      } else if (e.type === 'session.renamed') {
        this.name = e.data.name;
        urgent = true;
      } else if (e.type === 'terminal.resized') {
        this.size = { cols: e.data.cols, rows: e.data.rows };
      } else if (e.type === 'control.changed') {
        this.control = e.data.control;
        urgent = true;
      }
      this.deps.projection.apply(e);
      this.withdrawals.apply(e);
      this.streaming.committed(e);
      const waited = this.attention.current;
      this.summarize(e);
      if (this.attention.current !== waited) urgent = true;
    }
    // Before the output reaches any window: the windows answer only after they drew it.
    if (outputFrom !== undefined && this.kind === 'terminal')
      this.responders.note(outputFrom, this.responder());
    const batch = new CommitFrames(events, this.id);
    for (const sub of this.subscriptions.values()) {
      if (!sub.offerAll(batch)) {
        this.catchUps
          .run(sub)
          .catch((err: unknown) => replayFailed(this.deps.log, this.id, sub, err));
      }
    }
    this.retention.committed(events.length);
    this.deps.onInfoChanged(this, urgent);
  }

  // ---- attachments -------------------------------------------------------------------------

  /**
   * Attaches a connection; events after `afterSeq` follow (replayed, then live). A position that
   * is not in this log (another epoch, or beyond the head) starts with a `reset` snapshot.
   */
  subscribe(peer: Peer, afterSeq: number, readOnly: boolean, epoch?: string): { headSeq: number } {
    this.subscriptions.get(peer.connectionId)?.end();
    const reset = isStalePosition(
      { epoch: this.epoch, headSeq: this.committedSeq },
      afterSeq,
      epoch,
    );
    const sub = new Subscription(peer, readOnly, reset ? 0 : afterSeq, Date.now());
    sub.resetPending = reset;
    this.subscriptions.set(peer.connectionId, sub);
    const headSeq = this.committedSeq;
    // After the caller has sent its reply: the full presence list to this subscriber only, then
    // the replay. Everyone else hears of the join in the next coalesced delta.
    setImmediate(() => {
      if (sub.ended) return;
      this.presence.sendList(sub);
      this.catchUps
        .run(sub)
        .catch((err: unknown) => replayFailed(this.deps.log, this.id, sub, err));
    });
    this.presence.joined(sub);
    return { headSeq };
  }

  /**
   * A connection's attachment after its device's role changed: read-only or not as the new role
   * allows, and announced again to every subscriber (same connection id, new role) so that every
   * device shows it.
   */
  refreshAttachment(connectionId: string, readOnly: boolean): void {
    const sub = this.subscriptions.get(connectionId);
    if (!sub || sub.ended) return;
    sub.readOnly = readOnly;
    if (readOnly) this.applySizeDecision(this.sizePolicy.left(connectionId));
    this.presence.changed(sub);
  }

  unsubscribe(connectionId: string): boolean {
    const sub = this.subscriptions.get(connectionId);
    if (!sub) return false;
    sub.end();
    this.subscriptions.delete(connectionId);
    this.applySizeDecision(this.sizePolicy.left(connectionId));
    this.presence.left(connectionId);
    return true;
  }

  /**
   * Sends a streaming fragment to every live subscriber, and keeps it for the subscribers that
   * turn live later (they get the text so far once caught up, hub/catch-up.ts). A subscriber
   * still catching up gets nothing now: it receives the whole text so far when it turns live,
   * then the fragments after.
   */
  broadcastStream(
    messageId: string,
    channel: 'text' | 'thinking',
    delta: string,
    sealed?: SealedFragment,
  ): void {
    if (sealed) {
      // The relay cannot join fragments it cannot read: it keeps the frames themselves, and a
      // subscriber turning live gets them as they were (SealedFragments).
      const frame = JSON.stringify({
        type: 'stream',
        sessionId: this.id,
        messageId,
        channel,
        delta: '',
        sealed: sealed.envelope,
      });
      if (sealed.keep) this.sealedFragments.keep(messageId, frame);
      for (const sub of this.subscriptions.values()) if (sub.state === 'live') sub.peer.send(frame);
      return;
    }
    const offset = this.streaming.append(messageId, channel, delta);
    const frame = streamFrame(this.id, messageId, channel, delta, offset);
    for (const sub of this.subscriptions.values()) {
      if (sub.state === 'live') sub.peer.send(frame);
    }
  }

  /**
   * A sealed session: the commit of host `out` `n` holds the final events of these streamed
   * messages (the host names them, their bodies being sealed); their kept fragments go with it.
   */
  streamsFinishing(n: number, messageIds: readonly string[]): void {
    if (this.sealed) this.sealedFragments.finishing(n, messageIds);
  }

  /**
   * Committed events after `afterSeq`, at most `limit`, for gap fills and HTTP readers. Never
   * returns part of a compacted range: `compacted: true` says the caller needs a snapshot.
   */
  async readCommitted(
    afterSeq: number,
    limit: number,
  ): Promise<{
    events: LogEvent[];
    headSeq: number;
    firstSeq: number;
    epoch: string;
    compacted: boolean;
  }> {
    const head = { headSeq: this.committedSeq, firstSeq: this.firstSeq, epoch: this.epoch };
    if (afterSeq + 1 < this.firstSeq) return { events: [], ...head, compacted: true };
    const stored = await this.deps.store.readEvents(this.id, afterSeq, limit);
    // Allocated-but-uncommitted numbers never leave the server.
    const events = stored.filter((e) => e.seq <= head.headSeq).map(parseStored);
    return { events, ...head, compacted: false };
  }

  // ---- control -----------------------------------------------------------------------------

  /**
   * Changes who may steer the session: appends a `control.changed` event holding the whole new
   * state, stored with the session row in the same commit (so it survives a restart and the
   * event's compaction). Changes are chained: each starts after the previous one committed and
   * computes its state from it, so two takeovers at once end with the later one controlling.
   * Resolves with the state after this change.
   *
   * Relies on LogWriter's order: it resolves an append and calls `onCommitted` in the same
   * synchronous stretch after the commit, so by the time the awaiting code below (a microtask)
   * runs, `this.control` already holds the committed state the next change builds on.
   */
  changeControl(action: ControlAction, device: ControlDevice): Promise<SessionControl> {
    const run = this.controlChain.then(async () => {
      const next = nextControl(this.control, action, device, Date.now());
      if (next === this.control) return next;
      await this.append(
        [{ type: 'control.changed', data: { control: next, action, deviceId: device.deviceId } }],
        { control: next.state === 'open' ? null : JSON.stringify(next) },
      );
      return next;
    });
    this.controlChain = run.catch(() => undefined);
    return run;
  }

  /** The projection's snapshot as JSON text (joiners and HTTP clients that cannot replay). */
  snapshotJson(): Promise<SnapshotJson> {
    return snapshotJsonOf(this.deps.projection);
  }

  // ---- inputs and control --------------------------------------------------------------------

  acceptsInput(): boolean {
    if (this.isAgent) return this.status !== 'stopping';
    return this.status === 'running' || this.status === 'starting' || this.status === 'idle';
  }

  /**
   * Stores an input (deduplicated by its id) and hands it to the inbox. Resolves once the input is
   * durable, with its seq; a retry of a stored input resolves with the original seq.
   */
  submitInput(
    actor: Actor,
    inputId: string,
    payload: WireInputPayload,
    readOnly: boolean,
    sealedChecks: SealedTerminalChecks = {},
  ): Promise<{ seq: number; duplicate: boolean; ignored?: 'not_responder' }> {
    const accepted = this.acceptInput(actor, inputId, payload, readOnly, sealedChecks);
    // Tracked from the call on, synchronously: an agent's interrupt asked after it waits for it.
    // A terminal's never does, so its keystrokes (the hot path) are not tracked.
    return this.isAgent ? this.inFlight.track(accepted) : accepted;
  }

  private async acceptInput(
    actor: Actor,
    inputId: string,
    payload: WireInputPayload,
    readOnly: boolean,
    sealedChecks: SealedTerminalChecks,
  ): Promise<{ seq: number; duplicate: boolean; ignored?: 'not_responder' }> {
    if (readOnly) {
      throw new BatonError('read_only', 'this attachment is read-only: it cannot send input');
    }
    const sealing = this.sealed;
    if (sealing && !isSealedPayload(payload)) {
      throw new BatonError(
        'sealed_session',
        `session ${this.id} is sealed: the relay stores only inputs sealed by their device (docs/protocol.md, "Sealed sessions"); fetch the session key from /api/sessions/${this.id}/keys, seal the input and send it again`,
      );
    }
    if (!sealing && isSealedPayload(payload)) {
      throw new BatonError(
        'bad_request',
        `session ${this.id} is not sealed: send the input in the clear`,
      );
    }
    const expected = this.isAgent ? 'message' : 'terminal';
    if (payload.kind !== expected) {
      throw new BatonError(
        'bad_request',
        `a ${this.kind} session takes '${expected}' inputs, not '${payload.kind}'`,
      );
    }
    // A sealed terminal input's `run` and `report` are checked by their clear copy, which the host
    // compares with the sealed values once it opened the input (docs/protocol.md, "Inputs").
    const checks: SealedTerminalChecks =
      isSealedPayload(payload) && payload.kind === 'terminal' ? sealedChecks : {};
    // What the filters read: a sealed input's clear copy, else the terminal payload itself.
    const terminal: SealedTerminalChecks =
      isSealedPayload(payload) || payload.kind !== 'terminal' ? checks : payload;
    // Every window's emulator answers a query; only the responder's answer is typed.
    const report = terminal.report === true;
    if (report && actor.connectionId !== this.responderFor(terminal.querySeq)) {
      return { seq: this.committedSeq, duplicate: false, ignored: 'not_responder' };
    }
    if (isStaleRun(payload, this.runners.run, checks)) {
      return duplicateOrStale(
        this.id,
        this.runners.run,
        inputId,
        payload,
        (id) => storedDuplicateOf(this.deps.store, this.id, actor.deviceId, id, payload),
        checks,
      );
    }
    if (!this.acceptsInput()) {
      const { store } = this.deps;
      const seq = await storedDuplicateOf(store, this.id, actor.deviceId, inputId, payload);
      if (seq !== undefined) return { seq, duplicate: true };
      throw new BatonError(
        'session_not_running',
        `session ${this.id} is ${this.status}${this.reason ? ` (${this.reason})` : ''}; restart it to send input`,
      );
    }
    const result = await this.inOrder.run(
      payload,
      async (p) => {
        try {
          if (isSealedPayload(p)) {
            // Verified in the append order (InOrderAppends): a forgery is refused, nothing stored.
            await this.deps.sealing!.verifyInput(
              this.id,
              this.config.host!,
              actor.deviceId,
              inputId,
              p,
            );
            return p;
          }
          return await withAttachmentInfo(this.deps.store, this.id, p);
        } catch (err) {
          // Before the next input is queued: it must not be stored ahead of this one's resend.
          this.deps.writer.refusedBeforeQueue(this.logState, actor.deviceId, inputId, err);
          throw err;
        }
      },
      (p) => {
        const data: Extract<NewLogEvent, { type: 'input' }>['data'] = {
          inputId,
          deviceId: actor.deviceId,
          payload: p,
          ...checks,
        };
        if (actor.connectionId !== undefined) data.connectionId = actor.connectionId;
        return this.deps.writer.appendInput(this.logState, { type: 'input', data });
      },
    );
    if (result.duplicate) return { seq: result.seq, duplicate: true };
    const committed = result.committed[0]!;
    // An emulator's answer is not typing: it must not make its window the writer whose size wins.
    if (actor.connectionId !== undefined && !report) this.noteWriter(actor.connectionId);
    const event = committed.event as InputEvent;
    await this.runners.handOver(event);
    return { seq: committed.seq, duplicate: false };
  }

  /** See `RunnerContext.takeForTurn`. */
  takeForTurn<T extends { deviceId: string; inputId: string }>(batch: T[]): T[] {
    return this.withdrawals.take(batch);
  }

  /**
   * Withdraws one of the actor's own stored chat messages before a turn takes it: appends
   * `input.withdrawn`, and no turn ever sends it. A repeat answers the first withdrawal's seq.
   * Refused with `already_started` once a turn took it, `not_found` when this device stored no
   * input with that id (ids are per device, so another device's message cannot be named).
   */
  async withdrawInput(
    actor: Actor,
    inputId: string,
    readOnly: boolean,
  ): Promise<{ seq: number; duplicate: boolean }> {
    if (readOnly) {
      throw new BatonError('read_only', 'this attachment is read-only: it cannot withdraw input');
    }
    if (!this.isAgent) {
      throw new BatonError(
        'bad_request',
        `only chat messages to an agent can be withdrawn; a ${this.kind} session's keys are typed at once`,
      );
    }
    const key = { deviceId: actor.deviceId, inputId };
    const stored = await this.deps.store.findInputs(this.id, [key]);
    if (stored.size === 0) {
      throw new BatonError(
        'not_found',
        `this device sent no input '${inputId}' to session ${this.id}; only the device that sent a message can withdraw it`,
      );
    }
    // Atomic with respect to the turns: claim() decides and takes effect in one synchronous call
    // against the same state that a turn's takeForTurn() consults (InputWithdrawals). Nothing is
    // awaited between the decision and its effect; the event is stored afterwards, and until it
    // is, the message is already kept from every turn. If storing fails (a retryable error), the
    // message stays held back and the client's retry stores the event.
    const claim = this.withdrawals.claim(key);
    if (claim.kind === 'started') {
      throw new BatonError(
        'already_started',
        `input '${inputId}' was already taken by a turn of the agent; it can no longer be withdrawn (stop the turn instead)`,
      );
    }
    if (claim.kind === 'withdrawn') return { seq: await claim.seq, duplicate: true };
    try {
      const [committed] = await this.append([{ type: 'input.withdrawn', data: key }]);
      claim.stored(committed!.seq);
      return { seq: committed!.seq, duplicate: false };
    } catch (err) {
      claim.failed(err);
      throw err;
    }
  }

  /**
   * The connection whose answer to a query is typed: the responder when the output that asked
   * was committed (`querySeq`, see `ResponderHistory`), else, for a client that does not say
   * which output it answers, the responder now. An answer to output not committed yet, or
   * older than the history, answers nothing the program still waits for.
   */
  private responderFor(querySeq: number | undefined): string | undefined {
    if (querySeq === undefined) return this.responder();
    const then = querySeq <= this.committedSeq ? this.responders.at(querySeq) : undefined;
    if (then === undefined) return undefined;
    // No window could answer when the program asked: the one that can now does.
    return then.responder ?? this.responder();
  }

  /** The connection whose terminal answers are typed now (see `chooseResponder`). */
  responder(): string | undefined {
    return chooseResponder(
      this.subscriptions,
      this.sizePolicy.lastWriter,
      this.control,
      this.remoteAttachments,
    );
  }

  /**
   * A window's fitted size, and its choice of Fit to me (`fitToMe`, sticky until changed) or
   * Follow the writer. A read-only attachment never resizes. See `TerminalSizePolicy`.
   */
  resize(
    connectionId: string,
    cols: number,
    rows: number,
    readOnly: boolean,
    fitToMe?: boolean,
  ): void {
    if (readOnly)
      throw new BatonError('read_only', 'this attachment is read-only: it cannot resize');
    if (this.kind !== 'terminal') return;
    this.applySizeDecision(this.sizePolicy.resize(connectionId, { cols, rows }, fitToMe));
  }

  private noteWriter(connectionId: string): void {
    if (this.sizePolicy.lastWriter === connectionId) return;
    this.applySizeDecision(this.sizePolicy.wrote(connectionId));
  }

  /** Applies the size in force and tells everyone when whose size it is changed. */
  private applySizeDecision(decision: Decision): void {
    if (decision.size) this.applySize(decision.size.cols, decision.size.rows);
    if (!decision.ownerChanged) return;
    const owner = this.sizePolicy.owner?.connectionId;
    for (const id of new Set([decision.previousOwner, owner])) {
      const sub = id !== undefined ? this.subscriptions.get(id) : undefined;
      if (sub && !sub.ended) this.presence.changed(sub);
    }
  }

  /** A subscriber as presence shows it, with whether its size is the one in use. */
  private attachmentOf(sub: Subscription): Attachment {
    const attachment = attachmentOf(sub, this.id);
    const owner = this.sizePolicy.owner;
    if (owner?.connectionId === sub.peer.connectionId) {
      attachment.sizeInUse = true;
      if (owner.fitToMe) attachment.fitToMe = true;
    }
    return attachment;
  }

  private applySize(cols: number, rows: number): void {
    if (cols === this.size.cols && rows === this.size.rows) return;
    this.size = { cols, rows };
    this.runners.current?.resize(cols, rows);
  }

  async interrupt(readOnly: boolean, deviceId?: string): Promise<void> {
    if (readOnly)
      throw new BatonError('read_only', 'this attachment is read-only: it cannot interrupt');
    // A Stop pressed right after Send stops the turn that message starts: it reaches the runner
    // after every input asked before it (see InputsInFlight). Agents only: a terminal's Ctrl-C
    // must not wait behind keys that a stuck program does not read. Bounded: a relay's runner
    // takes a message for an offline host only once the host is back, and a Stop must not wait
    // for that (it goes on to the runner, which answers as it did before).
    if (this.isAgent) await this.inputsBeforeInterrupt();
    const runner = this.runners.current;
    if (!runner)
      throw new BatonError('session_not_running', `session ${this.id} has no running process`);
    await runner.interrupt(deviceId);
  }

  private async inputsBeforeInterrupt(): Promise<void> {
    const reached = (async () => {
      await this.inFlight.settled();
      await this.runners.inputsTaken();
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      reached,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, INTERRUPT_WAITS_FOR_INPUTS_MS))),
    ]);
    clearTimeout(timer);
  }

  async answerPermission(
    actor: Actor,
    requestId: string,
    answer: PermissionDecision,
  ): Promise<number> {
    if (!this.isAgent)
      throw new BatonError('bad_request', 'terminal sessions have no permission requests');
    if (!this.runners.current) await this.ensureRunner();
    const runner = this.runners.current;
    if (!runner?.answerPermission)
      throw new BatonError('bad_request', 'this runner takes no permission answers');
    try {
      await runner.answerPermission(requestId, answer, actor.deviceId);
    } catch (err) {
      if (err instanceof RunnerError) throw new BatonError(err.code, err.message);
      throw err;
    }
    return this.committedSeq;
  }

  /** See `Runner.changeSettings`; resolves with the head after the change was stored. */
  async changeAgentSettings(
    actor: Actor,
    change: { model?: string; permissionMode?: string },
    readOnly: boolean,
  ): Promise<number> {
    if (readOnly)
      throw new BatonError('read_only', 'this attachment is read-only: it cannot change settings');
    if (!this.isAgent)
      throw new BatonError('bad_request', 'terminal sessions have no model or permission mode');
    if (!this.runners.current) await this.ensureRunner();
    const runner = this.runners.current;
    if (!runner?.changeSettings)
      throw new BatonError('session_not_running', `session ${this.id} has no running agent`);
    try {
      await runner.changeSettings(change, actor.deviceId);
    } catch (err) {
      if (err instanceof RunnerError) throw new BatonError(err.code, err.message);
      throw err;
    }
    return this.committedSeq;
  }

  // ---- runner lifecycle --------------------------------------------------------------------------

  /** Creates and starts the runner. A start failure marks the session failed with the reason. */
  ensureRunner(): Promise<void> {
    // A node that does not own the session never runs it: the owner's runner is the only one.
    if (this.following)
      return Promise.reject(
        new BatonError('unavailable', `another node runs session ${this.id}; retry`, 1000),
      );
    return this.runners.ensure();
  }

  /** Ends the runner without recording anything: this node lost the session to another. */
  releaseRunner(): Promise<void> {
    return this.runners.release();
  }

  async setStatus(
    status: SessionStatus,
    extra: { reason?: string; exitCode?: number; signal?: number; hostOut?: number } = {},
  ): Promise<void> {
    if (this.deleted) return;
    if (status === this.status && extra.reason === this.reason && extra.exitCode === this.exitCode)
      return;
    const data: { status: SessionStatus; reason?: string; exitCode?: number; signal?: number } = {
      status,
    };
    if (extra.reason !== undefined) data.reason = extra.reason;
    if (extra.exitCode !== undefined) data.exitCode = extra.exitCode;
    if (extra.signal !== undefined) data.signal = extra.signal;
    await this.append([{ type: 'session.status', data }], {
      status,
      reason: extra.reason ?? null,
      exitCode: extra.exitCode ?? null,
      ...(extra.hostOut !== undefined ? { hostOut: extra.hostOut } : {}),
    });
    // checkpoint() catches and logs its own failures: never rejects.
    if (status === 'exited' || status === 'failed') void this.checkpoint();
  }

  /** Stops the runner; the session and its log stay. Works from any connection. */
  stop(): Promise<void> {
    return this.runners.stop();
  }

  /** Starts the runner again (same config and working directory) after it exited or failed. */
  restart(): Promise<void> {
    return this.runners.restart();
  }

  /** Rebuilds the projection from the stored checkpoint plus the events after it. */
  async loadProjection(): Promise<void> {
    const snap = await this.deps.store.getSnapshot(this.id);
    let after = this.firstSeq - 1;
    if (snap && snap.seq >= after) {
      const state = JSON.parse(snap.state) as RunnerSnapshot;
      this.deps.projection.restore(snap.seq, state);
      // An agent checkpoint holds the conversation's events: enough for attention, preview and usage.
      if (state.kind === 'agent')
        for (const e of state.events) {
          if (!isKnownLogEvent(e)) continue;
          this.summarize(e);
          this.withdrawals.apply(e);
        }
      after = snap.seq;
    }
    for (;;) {
      const page = await this.deps.store.readEvents(this.id, after, 1000);
      for (const stored of page) {
        const event = parseStored(stored);
        if (isSealedLogEvent(event)) continue;
        this.deps.projection.apply(event);
        this.summarize(event);
        this.withdrawals.apply(event);
      }
      if (page.length < 1000) break;
      after = page[page.length - 1]!.seq;
    }
  }

  private summarize(event: LogEvent): void {
    this.attention.apply(event);
    this.preview.apply(event);
    this.usage.apply(event);
  }

  // ---- retention -----------------------------------------------------------------------------

  /**
   * On a relay, a sealed session: its host's snapshot at `seq`, verified by the host link. Kept
   * (store, then projection) when it is newer than the one held and within the committed log;
   * from then on late joiners and retention gaps get it, and compaction may drop the events at
   * or below `seq`.
   */
  async hostSnapshot(seq: number, sealed: SealedEnvelopeShape): Promise<void> {
    const projection = this.deps.projection;
    if (!this.sealed || !(projection instanceof HostSnapshotProjection) || this.deleted) return;
    if (seq > this.committedSeq)
      throw new BatonError(
        'bad_request',
        `a snapshot at ${seq} is beyond the session's committed head ${this.committedSeq}`,
      );
    if (seq <= projection.snapshotSeq) return;
    await this.deps.store.putSnapshot(this.id, seq, JSON.stringify({ sealed }));
    projection.offer(seq, sealed);
    this.retention.maybeCompact();
  }

  /** Stores a checkpoint now (and compacts when `compact`); never rejects. */
  checkpoint(compact = false): Promise<void> {
    return this.retention.checkpoint(compact);
  }

  /** Ends every subscription and the runner; called on delete and on server shutdown. */
  async dispose(options: { deleted: boolean }): Promise<void> {
    if (options.deleted) this.deleted = true;
    this.presence.dispose();
    for (const sub of this.subscriptions.values()) sub.end();
    this.subscriptions.clear();
    await this.runners.release();
    this.deps.projection.dispose();
  }

  /**
   * Removes what the runner wrote under the data directory (the attachments handed to the agent
   * as files): called once the session is deleted from the store, after `dispose` stopped the
   * runner, so nothing writes there any more. Never rejects.
   */
  async removeFolder(): Promise<void> {
    const dir = join(this.deps.dataDir, 'sessions', this.id);
    await rm(dir, { recursive: true, force: true }).catch((err: unknown) =>
      this.deps.log.warn('could not remove a deleted session’s folder', {
        session: this.id,
        dir,
        error: (err as Error).message,
      }),
    );
  }
}
