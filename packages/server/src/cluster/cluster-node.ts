import { BatonError } from '../baton-error.js';
import type { Logger } from '../logger.js';
import type { LiveSession } from '../hub/live-session.js';
import { NOT_OWNER } from '../hub/log-writer.js';
import type { ClusterHost, HubCluster } from '../hub/hub-cluster.js';
import type { SessionLeases } from '../storage/session-lease.js';
import type { Store } from '../storage/store.js';
import type { ClusterBus, ClusterSignal } from './cluster-bus.js';
import {
  ForwardedAnswer,
  type ForwardedCommand,
  type ForwardedError,
  type ForwardedResult,
} from './forwarded-command.js';
import { LogFollower } from './log-follower.js';
import { RemotePresence } from './remote-presence.js';
import { SessionOwnership } from './session-ownership.js';
import { settleTakeover } from './takeover.js';

export interface ClusterOptions {
  /**
   * How long a lease lasts without renewal, in ms: the bound on failover (a dead owner's sessions
   * are taken over at most this plus one poll later). Default 10 s. Renewed every third of it.
   */
  leaseMs?: number;
  /** How often the store is polled for what a lost notification would have said. Default 1 s. */
  pollMs?: number;
  /** This node's name in leases; default newNodeId(). */
  nodeId: string;
  /** Also run on every poll: rereading what other nodes change outside session logs (devices). */
  onPoll?: () => Promise<void>;
}

/** How long a node waits for the owner to answer a forwarded request. */
const FORWARD_TIMEOUT_MS = 30_000;
/** Forwarded requests older than this are deleted (long after anyone waits for them). */
const REQUEST_KEPT_MS = 10 * 60_000;
/** How often a node prunes them. */
const PRUNE_EVERY_MS = 60_000;

/** What `GET /api/health` says of a node of a cluster. */
export interface ClusterHealth {
  nodeId: string;
  /** Sessions whose lease this node holds now (it runs them). */
  ownedSessions: number;
  leaseMs: number;
  /**
   * Since this node last renewed its leases. Beyond `leaseMs` its leases have lapsed and other
   * nodes may take its sessions over (a node cut off from PostgreSQL, say).
   */
  renewedAgoMs: number;
}

/**
 * One node of many on one PostgreSQL. It keeps this node's leases (claims free sessions, renews
 * its own, gives up those it cannot renew), follows the logs of sessions other nodes own, serves
 * requests forwarded to the sessions it owns, and forwards its clients' requests to the owners.
 *
 * Nodes talk only through PostgreSQL (ClusterBus): NOTIFY pointers for speed, a poll of the same
 * state for safety. Each poll reads every session's head and lease state in one query.
 */
export class ClusterNode implements HubCluster {
  readonly nodeId: string;
  readonly leaseMs: number;
  readonly pollMs: number;
  private readonly onPoll: (() => Promise<void>) | undefined;
  private readonly owners = new Map<string, SessionOwnership>();
  private readonly follower: LogFollower;
  private readonly presence: RemotePresence;
  /** Requests this node forwarded, waiting for their answer, by request id. */
  private readonly waiting = new Map<
    number,
    { resolve(answer: string): void; reject(err: Error): void }
  >();
  /** Requests this node is running as owner (a signal and a poll may both bring one). */
  private readonly serving = new Set<number>();
  /** Sessions being loaded after another node created them. */
  private readonly adopting = new Set<string>();
  private host: ClusterHost | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private lastRenewed = Date.now();
  private lastPruned = 0;
  private closed = false;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      bus: ClusterBus;
      leases: SessionLeases;
      store: Store;
      log: Logger;
    },
    options: ClusterOptions,
  ) {
    this.nodeId = options.nodeId;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.onPoll = options.onPoll;
    this.follower = new LogFollower(deps.store, (s, events) => this.host?.applyFollowed(s, events));
    this.presence = new RemotePresence({
      bus: deps.bus,
      log: deps.log,
      nodeId: this.nodeId,
      // Presence of a node is as fresh as its leases: both are renewed on the same timer.
      freshMs: this.leaseMs,
      find: (id) => this.host?.find(id),
      all: () => this.host?.all() ?? [],
    });
  }

  /** Starts listening, claims what is free, and starts the renew and poll timers. */
  async start(host: ClusterHost): Promise<void> {
    this.host = host;
    await this.deps.bus.listen(
      (signal) => this.onSignal(signal),
      () => void this.poll(),
    );
    await this.poll();
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, this.leaseMs / 3));
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
  }

  /** This node's part of the cluster, for `GET /api/health`. */
  health(): ClusterHealth {
    let owned = 0;
    for (const o of this.owners.values()) if (o.state === 'owning') owned++;
    return {
      nodeId: this.nodeId,
      ownedSessions: owned,
      leaseMs: this.leaseMs,
      renewedAgoMs: Date.now() - this.lastRenewed,
    };
  }

  /** Whether this node owns the session now. */
  owns(sessionId: string): boolean {
    return this.owners.get(sessionId)?.state === 'owning';
  }

  // ---- HubCluster ------------------------------------------------------------------------------

  async claimCreated(session: LiveSession): Promise<void> {
    const ownership = this.ownershipOf(session.id);
    ownership.claim();
    const lease = await this.deps.leases.acquireLease(session.id, this.nodeId, this.leaseMs);
    if (!lease) {
      ownership.unclaimed();
      throw new BatonError('internal', `session ${session.id} was claimed by another node`);
    }
    ownership.claimed(lease);
    session.logState.lease = lease;
  }

  async forward(session: LiveSession, command: ForwardedCommand): Promise<ForwardedResult> {
    const id = await this.deps.bus.forward(session.id, this.nodeId, JSON.stringify(command));
    const answered = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new BatonError(
            'unavailable',
            `no node answered for session ${session.id} in time (it may be between owners); retry`,
            1_000,
          ),
        );
      }, FORWARD_TIMEOUT_MS);
      this.waiting.set(id, {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
    await this.deps.bus.signal({ kind: 'request', sessionId: session.id });
    const parsed = ForwardedAnswer.safeParse(JSON.parse(await answered));
    if (!parsed.success) throw new BatonError('internal', 'the owner sent an unreadable answer');
    const answer = parsed.data;
    if ('error' in answer) {
      const { code, message, retryAfterMs, requiredRole } = answer.error;
      throw new BatonError(code as BatonError['code'], message, retryAfterMs, requiredRole);
    }
    // Acknowledged only once this node shows the events: a client sees its input in the log
    // it follows here no later than the ack (store, then acknowledge, then fan out).
    while (session.committedSeq < answer.seq && !session.isDeleted) {
      const before = session.committedSeq;
      await this.follower.pull(session);
      if (session.committedSeq === before) break; // deleted, or this node took over meanwhile
    }
    return answer;
  }

  catchUp(session: LiveSession): Promise<void> {
    return this.follower.pull(session);
  }

  committed(sessionId: string, seq: number): void {
    void this.deps.bus.signal({ kind: 'commit', sessionId, seq });
  }

  sessionsChanged(sessionId: string): void {
    // Deleted here: its lease row stays (epochs only grow), this node's ownership goes.
    if (!this.host?.find(sessionId)) this.owners.delete(sessionId);
    void this.deps.bus.signal({ kind: 'session', sessionId });
  }

  presenceChanged(session: LiveSession): void {
    this.presence.changed(session.id);
  }

  leaseLost(sessionId: string): void {
    const session = this.host?.find(sessionId);
    if (session) this.lose(session, 'a commit was fenced: another node owns the session');
  }

  // ---- signals and the poll --------------------------------------------------------------------

  private onSignal(signal: ClusterSignal): void {
    if (this.closed || !this.host) return;
    switch (signal.kind) {
      case 'commit': {
        const session = this.host.find(signal.sessionId);
        if (session?.following && session.committedSeq < signal.seq) this.pull(session);
        else if (!session) this.adopt(signal.sessionId);
        return;
      }
      case 'session':
        void this.refreshSession(signal.sessionId);
        return;
      case 'request':
        if (this.owns(signal.sessionId)) void this.serve([signal.sessionId]);
        return;
      case 'answer':
        if (this.waiting.has(signal.id)) void this.collect([signal.id]);
        return;
      case 'presence':
        void this.presence.refresh(signal.sessionId);
        return;
    }
  }

  /** One poll at a time; a poll asked for while one runs is the running one. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce()
      .catch((err: unknown) => {
        this.deps.log.warn('cluster poll failed', { error: (err as Error).message });
      })
      .finally(() => {
        this.polling = undefined;
      });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const host = this.host;
    if (this.closed || !host) return;
    await this.onPoll?.();
    const heads = await this.deps.bus.sessionHeads();
    const stored = new Set<string>();
    for (const head of heads) {
      stored.add(head.id);
      const session = host.find(head.id);
      if (!session) {
        this.adopt(head.id);
        continue;
      }
      if (!session.following) continue;
      if (head.firstSeq > session.firstSeq) session.firstSeq = head.firstSeq;
      if (head.headSeq > session.committedSeq) this.pull(session);
      if (!head.leased) void this.claim(session);
    }
    for (const session of [...host.all()]) {
      if (!stored.has(session.id) && !this.owns(session.id) && !this.adopting.has(session.id))
        await this.forgetIfGone(session.id);
    }
    await this.presence.refresh();
    const owned = [...this.owners].filter(([, o]) => o.state === 'owning').map(([id]) => id);
    await this.serve(owned);
    await this.collect([...this.waiting.keys()]);
    if (Date.now() - this.lastPruned >= PRUNE_EVERY_MS) {
      this.lastPruned = Date.now();
      await this.deps.bus.prune(REQUEST_KEPT_MS);
    }
  }

  private pull(session: LiveSession): void {
    this.follower.pull(session).catch((err: unknown) => {
      this.deps.log.warn('could not read another node’s events', {
        session: session.id,
        error: (err as Error).message,
      });
    });
  }

  private adopt(id: string): void {
    if (this.adopting.has(id) || !this.host) return;
    this.adopting.add(id);
    this.host
      .adopt(id)
      .catch((err: unknown) =>
        this.deps.log.warn('could not load a session of another node', {
          session: id,
          error: (err as Error).message,
        }),
      )
      .finally(() => this.adopting.delete(id));
  }

  private async refreshSession(id: string): Promise<void> {
    if (this.host?.find(id)) await this.forgetIfGone(id);
    else this.adopt(id);
  }

  private async forgetIfGone(id: string): Promise<void> {
    const record = await this.deps.store.getSession(id).catch(() => null);
    if (record === undefined && this.host?.find(id)) {
      this.owners.delete(id);
      await this.host.forget(id);
    }
  }

  // ---- leases ----------------------------------------------------------------------------------

  private ownershipOf(id: string): SessionOwnership {
    let o = this.owners.get(id);
    if (!o) {
      o = new SessionOwnership();
      this.owners.set(id, o);
    }
    return o;
  }

  /**
   * Takes over a session whose lease is free. Once the lease is ours, no other node can commit
   * (fencing), so reading the log to the stored head leaves nothing unread; only then does this
   * node allocate, from that head.
   */
  private async claim(session: LiveSession): Promise<void> {
    const ownership = this.ownershipOf(session.id);
    if (this.closed || !ownership.claim()) return;
    try {
      const lease = await this.deps.leases.acquireLease(session.id, this.nodeId, this.leaseMs);
      if (!lease) {
        ownership.unclaimed();
        return;
      }
      await this.follower.pull(session);
      const record = await this.deps.store.getSession(session.id);
      if (!record || session.isDeleted) {
        ownership.unclaimed();
        await this.deps.leases.releaseLease(lease).catch(() => {});
        return;
      }
      if (record.headSeq !== session.committedSeq) await this.follower.pull(session);
      session.logState.headSeq = session.committedSeq;
      session.logState.lease = lease;
      ownership.claimed(lease);
      this.deps.log.info('took a session over', { session: session.id, epoch: lease.epoch });
    } catch (err) {
      ownership.unclaimed();
      session.logState.lease = NOT_OWNER;
      this.deps.log.warn('could not take a session over', {
        session: session.id,
        error: (err as Error).message,
      });
      return;
    }
    await settleTakeover(session, this.deps.log).catch((err: unknown) =>
      this.deps.log.warn('could not settle a session taken over', {
        session: session.id,
        error: (err as Error).message,
      }),
    );
    await this.serve([session.id]);
  }

  private async renew(): Promise<void> {
    const host = this.host;
    if (this.closed || !host) return;
    const asked = Date.now();
    const heartbeat = this.presence.renew().then(
      () => true,
      (err: unknown) => {
        this.deps.log.warn('could not renew this node’s presence', {
          error: (err as Error).message,
        });
        return false;
      },
    );
    const mine = [...this.owners.values()].flatMap((o) => (o.lease ? [o.lease] : []));
    if (mine.length === 0) {
      // No lease to renew: the presence heartbeat is then what shows this node still reaches
      // PostgreSQL. Health's renewedAgoMs must keep growing while it is cut off, also once it
      // has lost every session (docs/operations.md, "Health").
      // max: a slow heartbeat answered late must not move a newer one's time back.
      if (await heartbeat) this.lastRenewed = Math.max(this.lastRenewed, asked);
      return;
    }
    try {
      const kept = await this.deps.bus.renewLeases(mine, this.leaseMs);
      this.lastRenewed = asked;
      const keptIds = new Set(kept.map((l) => l.sessionId));
      for (const lease of mine) {
        const session = host.find(lease.sessionId);
        if (!keptIds.has(lease.sessionId) && session) this.lose(session, 'the lease ran out');
      }
    } catch (err) {
      // Cut off from PostgreSQL: once a lease may have run out, this node stops its runners. A
      // commit would be fenced anyway; stopping the runner keeps the old shell or agent from
      // acting beside the new owner's.
      if (Date.now() - this.lastRenewed >= this.leaseMs) {
        for (const lease of mine) {
          const session = host.find(lease.sessionId);
          if (session)
            this.lose(session, `the lease could not be renewed: ${(err as Error).message}`);
        }
      }
    }
  }

  /** owning → following: appends stop at once, the runner is ended without recording anything. */
  private lose(session: LiveSession, why: string): void {
    const lease = this.owners.get(session.id)?.lost();
    if (!lease) return;
    session.logState.lease = NOT_OWNER;
    this.deps.log.warn('lost a session to another node', { session: session.id, why });
    void session.releaseRunner();
  }

  // ---- forwarded requests ----------------------------------------------------------------------

  /** Runs the open requests for sessions this node owns, oldest first. */
  private async serve(sessionIds: string[]): Promise<void> {
    const host = this.host;
    if (!host || sessionIds.length === 0) return;
    const requests = await this.deps.bus.openRequests(sessionIds);
    for (const request of requests) {
      if (this.serving.has(request.id)) continue;
      const session = host.find(request.sessionId);
      if (!session || !this.owns(session.id)) continue;
      this.serving.add(request.id);
      let answer: ForwardedAnswer;
      try {
        const command = JSON.parse(request.body) as ForwardedCommand;
        answer = await host.runForwarded(session, command);
      } catch (err) {
        if (err instanceof BatonError) {
          const error: ForwardedError = { code: err.code, message: err.message };
          if (err.retryAfterMs !== undefined) error.retryAfterMs = err.retryAfterMs;
          if (err.requiredRole !== undefined) error.requiredRole = err.requiredRole;
          answer = { error };
        } else answer = { error: { code: 'internal', message: (err as Error).message } };
      }
      try {
        await this.deps.bus.answer(request.id, JSON.stringify(answer));
        await this.deps.bus.signal({ kind: 'answer', id: request.id });
      } finally {
        this.serving.delete(request.id);
      }
    }
  }

  private async collect(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const answers = await this.deps.bus.takeAnswers(ids);
    for (const [id, answer] of answers) {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      w?.resolve(answer);
    }
  }

  /**
   * Stops claiming, polling and renewing (first in a shutdown: the hub then stops its runners
   * while the leases still keep other nodes from starting theirs).
   */
  async halt(): Promise<void> {
    this.closed = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const w of this.waiting.values())
      w.reject(new BatonError('unavailable', 'the server is shutting down'));
    this.waiting.clear();
    await this.polling;
  }

  /** After the runners stopped: gives up every lease at once, so others take over at once. */
  async close(): Promise<void> {
    await this.halt();
    await this.presence.close();
    for (const o of this.owners.values()) {
      const lease = o.lost();
      if (lease) await this.deps.leases.releaseLease(lease).catch(() => {});
    }
    await this.deps.bus.close();
  }
}
