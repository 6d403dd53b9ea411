import {
  AgentConfig,
  type AgentConversation,
  type ClientMessageOf,
  type ControlAction,
  type ControlDevice,
  DocumentReplies,
  type ReplyResultOf,
  type Role,
  type SessionControl,
  TerminalConfig,
  describeZodError,
  type WireInputPayload,
  type PermissionDecision,
  type SessionHost,
  type SessionInfo,
  type SessionKind,
  type SealedTerminalChecks,
} from '@baton/protocol';
import type { z } from 'zod';
import { newEpoch, newSessionId } from '../auth/tokens.js';
import { BatonError } from '../baton-error.js';
import type { Logger } from '../logger.js';
import type { ProjectionFactory } from '../projections/projection.js';
import { NullProjection } from '../projections/null-projection.js';
import { HostSnapshotProjection } from '../projections/host-snapshot-projection.js';
import type { SealGate } from './seal-gate.js';
import type { ChildRegistry } from '../runners/child-processes/child-registry.js';
import { RunnerError, type RunnerFactory } from '../runners/runner.js';
import type { SessionRecord, Store } from '../storage/store.js';
import { StoreHealth } from '../storage/store-health.js';
import { appendUntilStored } from './append-until-stored.js';
import { settleAfterRestart } from './crash-recovery.js';
import { LiveSession } from './live-session.js';
import { LogWriter, NOT_OWNER } from './log-writer.js';
import type { ClusterHost, HubCluster } from './hub-cluster.js';
import type { ForwardedCommand, ForwardedResult } from '../cluster/forwarded-command.js';
import { RestoreGuard } from './restore-guard.js';
import { checkControlChange } from './control-permission.js';
import type { DocumentWriter } from './documents/decide-write.js';
import type { Actor, Peer } from './peer.js';
import type { CommittedEvent } from './event-frame.js';

/** Session-list updates for busy sessions are coalesced to at most one per session per interval. */
const LIST_UPDATE_INTERVAL_MS = 250;

export interface SessionHubOptions {
  store: Store;
  log: Logger;
  dataDir: string;
  runners: ReadonlyMap<SessionKind, RunnerFactory>;
  /** Where runner children are recorded (and ended after a crash). */
  children: ChildRegistry;
  projections: readonly ProjectionFactory[];
  retentionEvents: number;
  /**
   * Whether a device may see a session: lists and list updates leave out the others (a device
   * paired for one session sees only it). Everything is visible when absent.
   */
  canSee?(deviceId: string, sessionId: string): boolean;
  /** Called after a session was deleted, to forget what refers to it elsewhere. */
  onDeleted?(sessionId: string): void;
  /** A device's name, for telling an agent who said what (`RunnerContext.deviceName`). */
  deviceName?(deviceId: string): string | undefined;
  /**
   * Called after each commit with the session's events, in seq order, once the session applied
   * them (its `info()` is current) and its subscribers were offered them. Runs inside the
   * writer's commit callback: it must not throw or block (push notifications start their
   * sends and return).
   */
  onCommitted?(session: LiveSession, events: readonly CommittedEvent[]): void;
  /**
   * On a relay: the host a session runs on, with its online state (`SessionInfo.host`). Absent
   * on a server that runs its sessions itself, which then refuses a config naming a host.
   */
  describeHost?(hostId: string): SessionHost;
  /** On a relay: which sessions are sealed, and the check of their inputs (SealGate). */
  sealing?: SealGate;
}

/**
 * Owns every session on this server and the set of connections watching the session list.
 *
 * Session-list changes (created, renamed, status, presence, deleted) go to every watching
 * connection, whatever that connection is showing; activity-only changes are coalesced.
 */
export class SessionHub {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly watchers = new Map<string, Peer>();
  private readonly pendingListUpdates = new Set<LiveSession>();
  private listTimer: NodeJS.Timeout | undefined;
  readonly writer: LogWriter;
  /** Whether the store accepts writes; `/api/health` reports it. */
  readonly storeHealth: StoreHealth;
  private closed = false;
  /** Set by `load`: notices logs that went back in time and records heads for the next start. */
  private guard: RestoreGuard | undefined;
  /** With many nodes: leases, forwarding and notifications (attachCluster, before load). */
  private cluster: HubCluster | undefined;
  /** Sessions this node is creating (stored, not yet in `sessions`): never adopted from the store. */
  private readonly creating = new Set<string>();

  constructor(private readonly opts: SessionHubOptions) {
    this.storeHealth = new StoreHealth({
      probe: () => opts.store.setMeta('write_probe', String(Date.now())),
      onChange: (state) => {
        if (state.state === 'degraded') {
          opts.log.error('the store cannot write; sessions are degraded', { error: state.error });
        } else {
          opts.log.info('the store writes again');
          for (const s of this.sessions.values()) s.setDegraded(undefined);
        }
      },
    });
    this.writer = new LogWriter(
      opts.store,
      (log, events) => {
        const session = this.sessions.get(log.sessionId);
        if (!session) return;
        session.onCommitted(events);
        this.guard?.noteHead(session.id, session.epoch, session.committedSeq);
        // Push texts and the like read bodies: never for a sealed session's envelopes.
        if (!session.sealed) opts.onCommitted?.(session, events);
        this.cluster?.committed(session.id, session.committedSeq);
      },
      {
        onStoreFailed: (_error, logs, cause) => {
          this.storeHealth.failed(cause);
          const reason = `the server's storage cannot write: ${cause.message}`;
          for (const log of logs) this.sessions.get(log.sessionId)?.setDegraded(reason);
        },
        onStored: (logs) => {
          this.storeHealth.succeeded();
          for (const log of logs) this.sessions.get(log.sessionId)?.setDegraded(undefined);
        },
        onLeaseLost: (log) => this.cluster?.leaseLost(log.sessionId),
        onListenerError: (err) => {
          opts.log.error('a commit listener failed', { error: (err as Error).message });
        },
      },
    );
  }

  /**
   * Loads stored sessions (each in its epoch, a new one if its log went back in time), rebuilds
   * projections and settles sessions the restart interrupted.
   */
  async load(): Promise<void> {
    const { store } = this.opts;
    this.guard = await RestoreGuard.open(this.opts.dataDir, store, this.opts.log);
    const loaded: LiveSession[] = [];
    for (const record of await store.listSessions()) {
      record.epoch = await this.guard.admit(record, store);
      const session = this.makeSession(record);
      this.sessions.set(session.id, session);
      loaded.push(session);
    }
    // Before the first commit of this run: the settling below appends events.
    await this.guard.start(store);
    for (const session of loaded) {
      await session.loadProjection();
      // With many nodes a session is settled by the node that takes its lease (cluster/takeover.ts).
      if (this.cluster) continue;
      const settled = settleAfterRestart(session, this.opts.log).catch((err: unknown) =>
        this.settleLater(session, err),
      );
      // Restarting an agent writes through its runner, whose writes are retried until they are
      // stored (RunnerSupervisor): on a full disk that would hold the whole server's start. Once
      // the store is known not to write, the server serves and the settling ends in the
      // background when space is back, as settleLater does for the other sessions.
      await Promise.race([settled, this.storeHealth.whenDegraded()]);
    }
  }

  /**
   * A session the restart could not settle because the store cannot write (a full disk) does not
   * keep the server from starting: it serves, the session shows `degraded`, and the session is
   * settled as soon as writes succeed again.
   */
  private settleLater(session: LiveSession, err: unknown): void {
    this.opts.log.error('could not settle a session after the restart; retrying', {
      session: session.id,
      error: (err as Error).message,
    });
    appendUntilStored(() => settleAfterRestart(session, this.opts.log), {
      stillWanted: () => !this.closed && this.sessions.get(session.id) === session,
    }).catch((e: unknown) => {
      this.opts.log.error('could not settle a session after the restart', {
        session: session.id,
        error: (e as Error).message,
      });
    });
  }

  /**
   * Joins this hub to the other nodes on the same PostgreSQL (before `load`): every session
   * starts out followed, and is owned only once the cluster took its lease.
   */
  attachCluster(cluster: HubCluster): ClusterHost {
    this.cluster = cluster;
    return {
      all: () => this.sessions.values(),
      find: (id) => this.sessions.get(id),
      adopt: (id) => this.adopt(id),
      forget: (id) => this.forget(id),
      applyFollowed: (session, events) => {
        // The owner changed documents: what this node read of them is out of date.
        if (events.some((e) => e.event.type === 'doc.changed')) session.documents.forget();
        session.onCommitted(events);
        this.guard?.noteHead(session.id, session.epoch, session.committedSeq);
      },
      runForwarded: (session, command) => this.runForwarded(session, command),
    };
  }

  /** The store as the hub uses it (instrumented), for the cluster's reads. */
  get storeForCluster(): Store {
    return this.opts.store;
  }

  /** Loads a session another node created. */
  private async adopt(id: string): Promise<void> {
    if (this.closed || this.sessions.has(id) || this.creating.has(id)) return;
    const record = await this.opts.store.getSession(id);
    if (!record || this.sessions.has(id) || this.creating.has(id)) return;
    const session = this.makeSession(record);
    await session.loadProjection();
    if (this.sessions.has(id) || this.closed) return;
    this.sessions.set(id, session);
    this.infoChanged(session, true);
  }

  /** Drops a session another node deleted: its subscribers and list watchers are told. */
  private async forget(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.pendingListUpdates.delete(s);
    this.announceRemoved(s);
    await s.dispose({ deleted: true });
    this.guard?.forget(id);
    this.opts.onDeleted?.(id);
  }

  /** A command another node forwarded to this node, the session's owner. */
  private async runForwarded(s: LiveSession, command: ForwardedCommand): Promise<ForwardedResult> {
    switch (command.op) {
      case 'input': {
        const actor: Actor = { deviceId: command.deviceId };
        if (command.connectionId !== undefined) actor.connectionId = command.connectionId;
        return s.submitInput(actor, command.inputId, command.payload, command.readOnly);
      }
      case 'withdraw':
        return s.withdrawInput({ deviceId: command.deviceId }, command.inputId, command.readOnly);
      case 'interrupt':
        await s.interrupt(command.readOnly, command.deviceId);
        break;
      case 'permission':
        return {
          seq: await s.answerPermission(
            { deviceId: command.deviceId },
            command.requestId,
            command.answer,
          ),
        };
      case 'settings': {
        const change: { model?: string; permissionMode?: string } = {};
        if (command.model !== undefined) change.model = command.model;
        if (command.permissionMode !== undefined) change.permissionMode = command.permissionMode;
        return {
          seq: await s.changeAgentSettings(
            { deviceId: command.deviceId },
            change,
            command.readOnly,
          ),
        };
      }
      case 'rename':
        await this.rename(s.id, command.name);
        break;
      case 'resize':
        s.resize(
          command.connectionId,
          command.cols,
          command.rows,
          command.readOnly,
          command.fitToMe,
        );
        break;
      case 'doc.write': {
        const reply = await s.documents.write(command.message, command.writer);
        return { seq: reply.status === 'committed' ? reply.seq : s.committedSeq, reply };
      }
      case 'doc.resolve': {
        const reply = await s.documents.resolve(command.message, command.writer);
        return { seq: reply.seq, reply };
      }
      case 'control':
        checkControlChange(s.control, command.action, command.device.deviceId, command.role);
        await s.changeControl(command.action, command.device);
        break;
      case 'stop':
        await this.stop(s.id);
        break;
      case 'restart':
        await this.restart(s.id);
        break;
      case 'delete':
        await this.delete(s.id);
        return { seq: 0 };
    }
    return { seq: s.committedSeq };
  }

  /** The command on the owner when another node owns the session; undefined to run it here. */
  private async forwarded(s: LiveSession, command: ForwardedCommand) {
    if (!this.cluster || !s.following) return undefined;
    return this.cluster.forward(s, command);
  }

  private makeSession(record: SessionRecord): LiveSession {
    const kind = record.kind;
    const config = JSON.parse(record.config) as TerminalConfig;
    const projectionFactory = this.opts.projections.find((p) => p.kinds.includes(kind));
    // A sealed session's bodies are envelopes: the relay materializes nothing; its snapshots
    // are the ones its host makes and seals.
    const sealed =
      config.host !== undefined &&
      this.opts.sealing?.describe(record.id, config.host) !== undefined;
    const projection = sealed
      ? new HostSnapshotProjection()
      : projectionFactory
        ? projectionFactory.create({ cols: config.cols ?? 80, rows: config.rows ?? 24 })
        : new NullProjection();
    const session = new LiveSession(record, {
      store: this.opts.store,
      writer: this.writer,
      log: this.opts.log,
      dataDir: this.opts.dataDir,
      runnerFactory: this.opts.runners.get(kind),
      children: this.opts.children,
      projection,
      retentionEvents: this.opts.retentionEvents,
      ...(this.opts.deviceName ? { deviceName: this.opts.deviceName } : {}),
      ...(this.opts.describeHost ? { describeHost: this.opts.describeHost } : {}),
      ...(this.opts.sealing ? { sealing: this.opts.sealing } : {}),
      onInfoChanged: (s, urgent) => this.infoChanged(s, urgent),
      onPresenceChanged: (s) => this.cluster?.presenceChanged(s),
    });
    if (this.cluster) session.logState.lease = NOT_OWNER;
    return session;
  }

  /**
   * Whether `deviceId` is looking at the session: one of its connections is subscribed to it
   * and its page is not hidden. Such a device gets no push notification for the session.
   */
  isLooking(deviceId: string, sessionId: string): boolean {
    const session = this.sessions.get(sessionId);
    if (!session) return false;
    for (const sub of session.subscriptions.values())
      if (sub.peer.deviceId === deviceId && !sub.peer.closed && sub.peer.hidden !== true)
        return true;
    return false;
  }

  get(id: string): LiveSession {
    const s = this.sessions.get(id);
    if (!s) throw new BatonError('not_found', `no session ${id}; list sessions to see the ids`);
    return s;
  }

  /** The session, or undefined when there is none. */
  find(id: string): LiveSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * Before a client attaches or reads at `afterSeq`: with many nodes, a followed session has
   * applied everything up to there (the client's position came from another node, which may be
   * ahead of this one by a notification), so the client is not reset for being "ahead".
   */
  followedUpTo(id: string, afterSeq: number): Promise<void> | undefined {
    const s = this.get(id);
    // Undefined (nothing to wait for, not even a microtask) on one node and when up to date.
    if (!this.cluster || !s.following || afterSeq <= s.committedSeq) return undefined;
    return this.cluster.catchUp(s).catch((err: unknown) => {
      // Not fatal: the client is then reset to this node's state, as for any position ahead.
      this.opts.log.warn('could not read a followed session before a subscribe', {
        session: id,
        error: (err as Error).message,
      });
    });
  }

  /** Every session, or those `deviceId` may see. */
  list(deviceId?: string): SessionInfo[] {
    const out: SessionInfo[] = [];
    for (const s of this.sessions.values())
      if (deviceId === undefined || this.visible(deviceId, s.id)) out.push(s.info());
    return out;
  }

  /**
   * The agent conversations on the host that a `kind` session can adopt (`AgentConfig.resume`),
   * newest first, at most `limit`.
   */
  async listConversations(kind: SessionKind, limit: number): Promise<AgentConversation[]> {
    const factory = this.opts.runners.get(kind);
    if (!factory?.listConversations) {
      throw new BatonError('bad_request', `this server cannot adopt ${kind} conversations`);
    }
    try {
      return await factory.listConversations(limit, this.opts.children.outsideSessions());
    } catch (err) {
      // Codex is asked through its app-server, which may be missing or fail to start.
      if (err instanceof RunnerError) throw new BatonError(err.code, err.message);
      throw err;
    }
  }

  private visible(deviceId: string, sessionId: string): boolean {
    return this.opts.canSee?.(deviceId, sessionId) ?? true;
  }

  // ---- session list watchers -----------------------------------------------------------------

  watch(peer: Peer): SessionInfo[] {
    this.watchers.set(peer.connectionId, peer);
    return this.list(peer.deviceId);
  }

  unwatch(connectionId: string): void {
    this.watchers.delete(connectionId);
  }

  /** A host came online or went offline: every list shows its sessions' new state at once. */
  hostChanged(hostId: string): void {
    for (const s of this.sessions.values()) if (s.config.host === hostId) this.infoChanged(s, true);
  }

  private infoChanged(session: LiveSession, urgent: boolean): void {
    if (this.watchers.size === 0) return;
    if (urgent) {
      this.pendingListUpdates.delete(session);
      this.sendToWatchers(
        session.id,
        JSON.stringify({ type: 'sessions.changed', change: 'upsert', session: session.info() }),
      );
      return;
    }
    this.pendingListUpdates.add(session);
    this.listTimer ??= setTimeout(() => {
      this.listTimer = undefined;
      const due = [...this.pendingListUpdates];
      this.pendingListUpdates.clear();
      for (const s of due) {
        if (this.sessions.get(s.id) !== s) continue;
        this.sendToWatchers(
          s.id,
          JSON.stringify({ type: 'sessions.changed', change: 'upsert', session: s.info() }),
        );
      }
    }, LIST_UPDATE_INTERVAL_MS);
  }

  private sendToWatchers(sessionId: string, frame: string): void {
    for (const peer of this.watchers.values())
      if (this.visible(peer.deviceId, sessionId)) peer.send(frame);
  }

  // ---- commands ------------------------------------------------------------------------------

  async create(
    kind: SessionKind,
    name: string | undefined,
    config: TerminalConfig & AgentConfig = {},
  ): Promise<SessionInfo> {
    if (this.closed) throw new BatonError('unavailable', 'the server is shutting down');
    const schema = kind === 'terminal' ? TerminalConfig.strict() : AgentConfig.strict();
    const checked = schema.safeParse(config);
    if (!checked.success) {
      throw new BatonError(
        'bad_request',
        `invalid config for a ${kind} session: ${describeZodError(checked.error)}`,
      );
    }
    if (config.host !== undefined && !this.opts.describeHost) {
      throw new BatonError(
        'bad_request',
        'this server runs its sessions itself; `host` names a machine only on a relay (baton relay)',
      );
    }
    const factory = this.opts.runners.get(kind);
    if (!factory) {
      throw new BatonError('agent_unavailable', `this server has no runner for ${kind} sessions`);
    }
    if (factory.preflight) {
      try {
        config = (await factory.preflight(config, this.opts.children.outsideSessions())) ?? config;
      } catch (err) {
        if (err instanceof RunnerError) throw new BatonError(err.code, err.message);
        throw new BatonError('agent_unavailable', (err as Error).message);
      }
    }
    const now = Date.now();
    const id = newSessionId();
    const record: SessionRecord = {
      id,
      name: name ?? defaultName(kind, this.sessions.size + 1),
      kind,
      status: 'starting',
      config: JSON.stringify(config),
      createdAt: now,
      lastActivityAt: now,
      headSeq: 0,
      firstSeq: 1,
      epoch: newEpoch(),
    };
    this.creating.add(id);
    let session: LiveSession;
    try {
      await this.opts.store.insertSession(record);
      session = this.makeSession(record);
      // Owned before its first event: other nodes only follow it.
      await this.cluster?.claimCreated(session);
      this.sessions.set(id, session);
    } finally {
      this.creating.delete(id);
    }
    this.cluster?.sessionsChanged(id);
    await session.append([
      { type: 'session.created', data: { name: record.name, kind, config: session.info().config } },
    ]);
    try {
      await session.ensureRunner();
    } catch (err) {
      // The session stays, marked failed with the reason, so every device can see what happened.
      this.opts.log.warn('session failed to start', { session: id, error: (err as Error).message });
    }
    return session.info();
  }

  async rename(id: string, name: string): Promise<SessionInfo> {
    const s = this.get(id);
    if (await this.forwarded(s, { op: 'rename', name })) return s.info();
    if (name !== s.name) await s.append([{ type: 'session.renamed', data: { name } }], { name });
    return s.info();
  }

  async stop(id: string): Promise<SessionInfo> {
    const s = this.get(id);
    if (await this.forwarded(s, { op: 'stop' })) return s.info();
    await s.stop();
    return s.info();
  }

  async restart(id: string): Promise<SessionInfo> {
    const s = this.get(id);
    if (await this.forwarded(s, { op: 'restart' })) return s.info();
    await s.restart().catch((err: unknown) => {
      if (!(err instanceof BatonError)) throw err;
    });
    return s.info();
  }

  async delete(id: string): Promise<void> {
    const s = this.get(id);
    if (await this.forwarded(s, { op: 'delete' })) {
      await this.forget(id);
      return;
    }
    this.sessions.delete(id);
    this.pendingListUpdates.delete(s);
    this.announceRemoved(s);
    await s.dispose({ deleted: true });
    await this.opts.store.deleteSession(id);
    await s.removeFolder();
    this.guard?.forget(id);
    this.opts.onDeleted?.(id);
    this.cluster?.sessionsChanged(id);
  }

  /** Tells the session's subscribers and every list watcher that may see it that it is gone. */
  private announceRemoved(s: LiveSession): void {
    const id = s.id;
    const frame = JSON.stringify({ type: 'sessions.changed', change: 'remove', sessionId: id });
    const notified = new Set<string>();
    for (const sub of s.subscriptions.values()) {
      sub.peer.send(frame);
      notified.add(sub.peer.connectionId);
    }
    for (const peer of this.watchers.values()) {
      if (!notified.has(peer.connectionId) && this.visible(peer.deviceId, id)) peer.send(frame);
    }
  }

  async submitInput(
    id: string,
    actor: Actor,
    inputId: string,
    payload: WireInputPayload,
    readOnly = false,
    sealedChecks: SealedTerminalChecks = {},
  ): Promise<{ seq: number; duplicate: boolean; ignored?: 'not_responder' }> {
    const s = this.get(id);
    const command: ForwardedCommand = {
      op: 'input',
      deviceId: actor.deviceId,
      inputId,
      payload,
      readOnly,
    };
    if (actor.connectionId !== undefined) command.connectionId = actor.connectionId;
    const remote = await this.forwarded(s, command);
    if (remote) {
      const result: { seq: number; duplicate: boolean; ignored?: 'not_responder' } = {
        seq: remote.seq,
        duplicate: remote.duplicate ?? false,
      };
      if (remote.ignored === 'not_responder') result.ignored = 'not_responder';
      return result;
    }
    // A relay runs as one node, so sealed inputs (and their checks) are never forwarded.
    return s.submitInput(actor, inputId, payload, readOnly, sealedChecks);
  }

  async answerPermission(
    id: string,
    actor: Actor,
    requestId: string,
    answer: PermissionDecision,
  ): Promise<number> {
    const s = this.get(id);
    const command: ForwardedCommand = {
      op: 'permission',
      deviceId: actor.deviceId,
      requestId,
      answer,
    };
    const remote = await this.forwarded(s, command);
    return remote ? remote.seq : s.answerPermission(actor, requestId, answer);
  }

  /** See `LiveSession.withdrawInput`; on the owner node wherever it is asked. */
  async withdrawInput(
    id: string,
    actor: Actor,
    inputId: string,
    readOnly: boolean,
  ): Promise<{ seq: number; duplicate: boolean }> {
    const s = this.get(id);
    const command: ForwardedCommand = {
      op: 'withdraw',
      deviceId: actor.deviceId,
      inputId,
      readOnly,
    };
    const remote = await this.forwarded(s, command);
    if (remote) return { seq: remote.seq, duplicate: remote.duplicate ?? false };
    return s.withdrawInput(actor, inputId, readOnly);
  }

  /**
   * A window's size (see `LiveSession.resize`), on the owner node wherever it is asked: the
   * owner weighs every window, through whichever node, in one size policy.
   */
  resize(
    id: string,
    connectionId: string,
    size: { cols: number; rows: number },
    readOnly: boolean,
    fitToMe?: boolean,
  ): Promise<void> | undefined {
    const s = this.get(id);
    // Applied synchronously here (undefined: nothing to wait for), as on one node, so that a
    // resize takes effect before any frame the same connection sends after it.
    if (!this.cluster || !s.following) {
      s.resize(connectionId, size.cols, size.rows, readOnly, fitToMe);
      return undefined;
    }
    const command: ForwardedCommand = { op: 'resize', connectionId, ...size, readOnly };
    if (fitToMe !== undefined) command.fitToMe = fitToMe;
    return this.cluster.forward(s, command).then(() => undefined);
  }

  /** A shared document's compare-and-set (`doc.write`), on the owner node wherever it is asked. */
  async writeDocument(
    id: string,
    message: ClientMessageOf<'doc.write'>,
    writer: DocumentWriter,
  ): Promise<ReplyResultOf<'doc.write'>> {
    const s = this.get(id);
    const remote = await this.forwarded(s, { op: 'doc.write', writer: { ...writer }, message });
    if (remote) return forwardedReply(DocumentReplies['doc.write'], remote.reply);
    return s.documents.write(message, writer);
  }

  /** Closes a `manual` conflict (`doc.resolve`), on the owner node wherever it is asked. */
  async resolveDocument(
    id: string,
    message: ClientMessageOf<'doc.resolve'>,
    writer: DocumentWriter,
  ): Promise<ReplyResultOf<'doc.resolve'>> {
    const s = this.get(id);
    const remote = await this.forwarded(s, { op: 'doc.resolve', writer: { ...writer }, message });
    if (remote) return forwardedReply(DocumentReplies['doc.resolve'], remote.reply);
    return s.documents.resolve(message, writer);
  }

  /**
   * Changes who may steer the session (checked with `role`, see checkControlChange), on the
   * owner node wherever it is asked. Resolves with the state after the change; a node that
   * follows has applied it by then (the forward waits for the owner's events).
   */
  async changeControl(
    id: string,
    action: ControlAction,
    device: ControlDevice,
    role?: Role,
  ): Promise<SessionControl> {
    const s = this.get(id);
    const command: ForwardedCommand = { op: 'control', action, device };
    if (role !== undefined) command.role = role;
    if (await this.forwarded(s, command)) return s.control;
    checkControlChange(s.control, action, device.deviceId, role);
    return s.changeControl(action, device);
  }

  /** See `LiveSession.interrupt`; on the owner node wherever it is asked. */
  async interrupt(id: string, readOnly: boolean, deviceId: string): Promise<void> {
    const s = this.get(id);
    if (await this.forwarded(s, { op: 'interrupt', deviceId, readOnly })) return;
    await s.interrupt(readOnly, deviceId);
  }

  /** See `LiveSession.changeAgentSettings`; on the owner node wherever it is asked. */
  async changeAgentSettings(
    id: string,
    actor: Actor,
    change: { model?: string; permissionMode?: string },
    readOnly: boolean,
  ): Promise<number> {
    const s = this.get(id);
    const command: ForwardedCommand = { op: 'settings', deviceId: actor.deviceId, readOnly };
    if (change.model !== undefined) command.model = change.model;
    if (change.permissionMode !== undefined) command.permissionMode = change.permissionMode;
    const remote = await this.forwarded(s, command);
    return remote ? remote.seq : s.changeAgentSettings(actor, change, readOnly);
  }

  /** Re-evaluates a connection's attachment after its device's role changed. */
  refreshAttachment(sessionId: string, connectionId: string, readOnly: boolean): void {
    this.sessions.get(sessionId)?.refreshAttachment(connectionId, readOnly);
  }

  /** Drops every attachment and watch of a connection that closed. */
  disconnect(connectionId: string): void {
    this.watchers.delete(connectionId);
    for (const s of this.sessions.values()) s.unsubscribe(connectionId);
  }

  /** Checkpoints every session and stops every runner. */
  async close(): Promise<void> {
    this.closed = true;
    this.storeHealth.close();
    if (this.listTimer) clearTimeout(this.listTimer);
    for (const s of this.sessions.values()) await s.checkpoint();
    await Promise.all([...this.sessions.values()].map((s) => s.dispose({ deleted: false })));
    await this.guard?.close();
  }
}

function defaultName(kind: SessionKind, n: number): string {
  return kind === 'terminal' ? `terminal ${n}` : `${kind} ${n}`;
}

/** The owner's reply to a forwarded request, checked against the reply's own schema. */
function forwardedReply<T>(schema: z.ZodType<T>, reply: unknown): T {
  const parsed = schema.safeParse(reply);
  if (!parsed.success)
    throw new BatonError('internal', 'the node that owns the session sent an unreadable reply');
  return parsed.data;
}
