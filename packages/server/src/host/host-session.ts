import { STOP_TIMEOUT_MS, withTimeout } from '../runners/stop-within.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AgentConfig,
  LogEvent,
  HostMessage,
  NewLogEvent,
  RunnerSnapshot,
  SealedEnvelopeShape,
  SessionKind,
  TerminalConfig,
} from '@baton/protocol';
import type { Logger } from '../logger.js';
import type { ProjectionFactory } from '../projections/projection.js';
import type { ChildRegistry } from '../runners/child-processes/child-registry.js';
import {
  RunnerError,
  type InputEvent,
  type Runner,
  type RunnerContext,
  type RunnerFactory,
} from '../runners/runner.js';
import type { HostSealing } from './host-sealing.js';
import type { HostState } from './host-state.js';
import { openSealedAttachment } from './sealed-attachments.js';
import { SealedSnapshots } from './sealed-snapshots.js';
import { wellFormedOutput } from './well-formed-output.js';

type OutBody = Extract<HostMessage, { type: 'out' }>['body'];

/** What a host session needs of the host's link to its relay. */
export interface HostSessionLink {
  /**
   * Sends an `out` now if the link is up (it is sent again after every reconnect until acked).
   * `finishes`: the streamed messages whose final events it carries (sealed sessions).
   */
  sendOut(sessionId: string, n: number, body: OutBody, finishes?: readonly string[]): void;
  sendStream(
    sessionId: string,
    messageId: string,
    channel: 'text' | 'thinking',
    delta: string,
    sealed?: NonNullable<Extract<HostMessage, { type: 'stream' }>['sealed']>,
  ): void;
  /** Asks the relay for stored state of the session; waits for the link when it is down. */
  read(
    sessionId: string,
    what:
      | { kind: 'events'; afterSeq: number; limit: number }
      | { kind: 'snapshot' }
      | { kind: 'attachment'; id: string },
  ): Promise<unknown>;
  /**
   * Sends a sealed session's snapshot up (host link 4); false when the link is down or the relay
   * speaks an older version (it would refuse the frame).
   */
  sendSnapshot(sessionId: string, seq: number, sealed: SealedEnvelopeShape): boolean;
}

/** How a sealed session's snapshots are made on the host (see SealedSnapshots). */
export interface HostSnapshotOptions {
  projections: readonly ProjectionFactory[];
  every: number;
  quietMs: number;
}

/**
 * One session's real runner on a host, with the RunnerContext it runs in: what it emits goes to
 * the relay as numbered `out` frames and is kept until the relay acknowledges it (so a lost link
 * loses nothing the runner made while the host lives); what it reads comes from the relay's store.
 *
 * Start and inputs are taken one at a time in arrival order (the relay sends them in log order);
 * interrupt, resize, permission answers, settings and stop act at once, as the Runner contract
 * allows.
 */
export class HostSession {
  private runner: Runner | undefined;
  private outN = 0;
  private readonly unacked: {
    n: number;
    body: OutBody;
    finishes?: readonly string[];
    done: () => void;
  }[] = [];
  /**
   * A sealed session's messages that streamed and whose final event has not left yet: an `out`
   * carrying one names it in `finishes`, so that the relay forgets the fragments it keeps.
   */
  private readonly streaming = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private readonly names = new Map<string, string>();
  /** Set when the host stops: output is no longer kept for the relay (nothing will ack it). */
  private abandoned = false;
  /**
   * Sealing is asynchronous (WebCrypto): outs and stream fragments are sealed one after another
   * on this chain, so they leave in the order the runner made them and `n` grows on the wire.
   */
  private sealChain: Promise<void> = Promise.resolve();
  /** A sealed session's projection and snapshots, from its first start on this host. */
  private snapshots: SealedSnapshots | undefined;

  constructor(
    readonly id: string,
    private readonly deps: {
      factories: ReadonlyMap<SessionKind, RunnerFactory>;
      children: ChildRegistry;
      state: HostState;
      link: HostSessionLink;
      dataDir: string;
      log: Logger;
      sealing?: HostSealing;
      snapshots?: HostSnapshotOptions;
    },
  ) {}

  get running(): boolean {
    return this.runner !== undefined;
  }

  /** Starts the runner unless it runs (a resume after a lost link keeps it). */
  start(kind: SessionKind, config: Record<string, unknown>, outAcked: number): Promise<void> {
    return this.inOrder(async () => {
      this.refuseForgotten();
      // Numbers go on after what the relay has: a restarted host starts from there.
      this.outN = Math.max(this.outN, outAcked);
      if (this.runner) return;
      const factory = this.deps.factories.get(kind);
      if (!factory)
        throw new RunnerError('agent_unavailable', `this host has no runner for ${kind} sessions`);
      const runner = factory.create(this.context(kind, config as TerminalConfig & AgentConfig));
      this.runner = runner;
      this.startSnapshots(kind, config as TerminalConfig & AgentConfig);
      try {
        await runner.start();
      } catch (err) {
        if (this.runner === runner) this.runner = undefined;
        throw err;
      }
    });
  }

  input(event: InputEvent, authorName: string | undefined): Promise<void> {
    return this.inOrder(async () => {
      this.refuseForgotten();
      if (event.seq <= this.deps.state.takenSeq(this.id)) return;
      if (authorName !== undefined) this.names.set(event.data.deviceId, authorName);
      const { sealing } = this.deps;
      // A sealed input is opened (author, counter, tag checked) before the runner sees it; one
      // that fails is answered with the error and never reaches the runner.
      const plain = sealing ? await sealing.openInput(this.id, event) : event;
      const altered = sealing ? alteredChecks(event, plain) : undefined;
      if (altered !== undefined) {
        // The relay filtered this input by its clear copy of `run`/`report`; one that differs
        // from the sealed values was filtered by something else than what the device sealed.
        // It is not typed (a keystroke lost is better than one typed into the wrong program).
        this.deps.log.warn('refused a sealed terminal input whose clear checks differ', {
          session: this.id,
          seq: event.seq,
          differs: altered,
        });
      } else {
        await this.current().input(plain);
      }
      this.deps.state.markTaken(this.id, event.seq);
      sealing?.taken(this.id, event.seq);
      this.snapshots?.committed(1);
    });
  }

  interrupt(deviceId?: string): Promise<void> {
    return this.current().interrupt(deviceId);
  }

  resize(cols: number, rows: number): void {
    this.runner?.resize(cols, rows);
  }

  answerPermission(
    requestId: string,
    answer: Parameters<NonNullable<Runner['answerPermission']>>[1],
    deviceId: string,
  ): Promise<void> {
    const runner = this.current();
    if (!runner.answerPermission)
      throw new RunnerError('bad_request', 'this session has no permission prompts');
    return runner.answerPermission(requestId, answer, deviceId);
  }

  changeSettings(
    change: { model?: string; permissionMode?: string },
    deviceId: string,
  ): Promise<void> {
    const runner = this.current();
    if (!runner.changeSettings)
      throw new RunnerError('bad_request', 'this session has no settings to change');
    return runner.changeSettings(change, deviceId);
  }

  async stop(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    await runner?.stop();
  }

  /** The host forgets the session (the relay stopped or deleted it): no more snapshots. */
  private closeSnapshots(): void {
    this.snapshots?.close();
    this.snapshots = undefined;
  }

  /**
   * The host is stopping: what the runner still makes (its exit status) is not waited for. The
   * relay starts the session again when the host returns.
   */
  abandon(): void {
    this.abandoned = true;
    this.closeSnapshots();
    for (const o of this.unacked.splice(0)) o.done();
  }

  /**
   * The relay deleted the session: nothing it makes is sent any more, and its runner stops after
   * what it was doing (a start in progress included: it runs in the same order). Nothing starts
   * it again. Resolves once the runner stopped, or after STOP_TIMEOUT_MS without it.
   */
  forget(): Promise<void> {
    this.abandon();
    // The wait covers what runs before the stop too: a start that hangs holds nothing up.
    return withTimeout(
      this.inOrder(() => this.stop()),
      STOP_TIMEOUT_MS,
      'the runner did not stop within 10 s',
    );
  }

  /** The host's state says whether the relay deleted it (HostAgent records that before `forget`). */
  private refuseForgotten(): void {
    if (this.deps.state.isForgotten(this.id))
      throw new RunnerError('not_found', `session ${this.id} was deleted`);
  }

  /** The relay committed every `out` up to `n`. */
  acked(n: number): void {
    let events = 0;
    while (this.unacked.length > 0 && this.unacked[0]!.n <= n) {
      const o = this.unacked.shift()!;
      events += o.body.kind === 'events' ? o.body.events.length : 1;
      o.done();
    }
    this.snapshots?.committed(events);
  }

  /** Makes and sends a snapshot of a sealed session now (tests; a relay's request). */
  snapshotNow(): Promise<void> {
    return this.snapshots?.request() ?? Promise.resolve();
  }

  private startSnapshots(kind: SessionKind, config: TerminalConfig & AgentConfig): void {
    const { sealing, snapshots } = this.deps;
    if (!sealing || !snapshots || this.snapshots) return;
    const link = this.deps.link;
    this.snapshots = new SealedSnapshots({
      sessionId: this.id,
      kind,
      size: { cols: config.cols ?? 80, rows: config.rows ?? 24 },
      projections: snapshots.projections,
      sealing,
      read: (what) => link.read(this.id, what),
      send: (seq, sealed) => link.sendSnapshot(this.id, seq, sealed),
      every: snapshots.every,
      quietMs: snapshots.quietMs,
      log: this.deps.log,
    });
  }

  /** After a reconnect: every `out` the relay has not acknowledged, in order. */
  resend(): void {
    for (const o of this.unacked) this.deps.link.sendOut(this.id, o.n, o.body, o.finishes);
  }

  private current(): Runner {
    if (!this.runner)
      throw new RunnerError('session_not_running', `session ${this.id} does not run on this host`);
    return this.runner;
  }

  private inOrder(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => {});
    return run;
  }

  /** Queues one `out`; resolves once the relay committed it. */
  private out(body: OutBody): Promise<void> {
    if (this.abandoned) return Promise.resolve();
    return new Promise<void>((done) => {
      const n = ++this.outN;
      // Signable as sent and as resent (see wellFormedOutput).
      body = wellFormedOutput(body);
      const { sealing } = this.deps;
      if (!sealing) {
        this.unacked.push({ n, body, done });
        this.deps.link.sendOut(this.id, n, body);
        return;
      }
      const plain = body;
      // Now, in the runner's order: every fragment it streamed before this `out` is counted.
      const finishes = this.finishedStreams(plain);
      this.afterSealing(async () => {
        // Sealed once and kept: a resent `out` carries the same envelopes (and counters).
        const sealed: OutBody =
          plain.kind === 'events'
            ? { kind: 'events', events: await sealing.sealOut(this.id, n, plain.events) }
            : plain;
        if (this.abandoned) return done();
        this.unacked.push({ n, body: sealed, ...(finishes ? { finishes } : {}), done });
        this.deps.link.sendOut(this.id, n, sealed, finishes);
      });
    });
  }

  /**
   * The streamed messages whose final events `body` carries (undefined for none), forgotten here
   * as they leave; a turn's end or a stopped agent forgets the rest, as the relay does.
   */
  private finishedStreams(body: OutBody): string[] | undefined {
    if (body.kind === 'status') {
      if (body.status !== 'running' && body.status !== 'starting') this.streaming.clear();
      return undefined;
    }
    const finishes: string[] = [];
    for (const event of body.events) {
      if (event.type === 'agent.text' || event.type === 'agent.thinking') {
        const id = (event.data as { messageId?: unknown } | undefined)?.messageId;
        if (typeof id === 'string' && this.streaming.delete(id)) finishes.push(id);
      } else if (event.type === 'agent.turn.ended') {
        this.streaming.clear();
      }
    }
    return finishes.length > 0 ? finishes : undefined;
  }

  private afterSealing(task: () => Promise<void>): void {
    this.sealChain = this.sealChain.then(task).catch((err: unknown) => {
      this.deps.log.error('could not seal output; it is not sent', {
        session: this.id,
        error: (err as Error).message,
      });
    });
  }

  private context(kind: SessionKind, config: TerminalConfig & AgentConfig): RunnerContext {
    const { deps } = this;
    const sessionDir = join(deps.dataDir, 'sessions', this.id);
    const sessionId = this.id;
    const read = deps.link.read.bind(deps.link);
    return {
      sessionId,
      kind,
      config,
      get sessionDir() {
        mkdirSync(sessionDir, { recursive: true });
        return sessionDir;
      },
      log: deps.log.child({ session: sessionId }),
      children: deps.children.forSession(sessionId),
      // Resolves once the relay has committed the events; the relay numbers them (seq).
      emit: async (events: NewLogEvent[]): Promise<LogEvent[]> => {
        await this.out({ kind: 'events', events });
        return [];
      },
      stream: (messageId, channel, delta) => {
        const { sealing } = deps;
        if (!sealing) return deps.link.sendStream(sessionId, messageId, channel, delta);
        this.streaming.add(messageId);
        this.afterSealing(async () => {
          const sealed = await sealing.sealStream(sessionId, messageId, delta);
          deps.link.sendStream(sessionId, messageId, channel, '', sealed);
        });
      },
      setStatus: async (status, extra) => {
        await this.out({ kind: 'status', status, ...extra });
        if (kind === 'terminal' && (status === 'exited' || status === 'failed'))
          this.runner = undefined;
      },
      readEvents: async (afterSeq, limit) => {
        const events = (await read(sessionId, { kind: 'events', afterSeq, limit })) as LogEvent[];
        // A sealed session's stored events are envelopes: the runner reads them opened.
        return deps.sealing ? deps.sealing.openStored(sessionId, events) : events;
      },
      latestSnapshot: async () => {
        const state = (await read(sessionId, { kind: 'snapshot' })) as RunnerSnapshot;
        if (!deps.sealing || !('sealed' in state)) return state;
        // A sealed session's snapshot is the host's own, sealed: opened here for the runner.
        return (
          (await deps.sealing.openSnapshot(sessionId, state.sealed))?.runner ?? { kind: 'none' }
        );
      },
      // The relay gates each chat message as it sends it to the host (withdrawals happen
      // there); what arrives here is already taken.
      takeForTurn: (batch) => batch,
      readAttachment: async (id) => {
        const a = (await read(sessionId, { kind: 'attachment', id })) as
          { type: string; data: string } | undefined;
        if (a === undefined) return undefined;
        const data = new Uint8Array(Buffer.from(a.data, 'base64'));
        return deps.sealing
          ? openSealedAttachment(deps.sealing, sessionId, id, data)
          : { type: a.type, data };
      },
      deviceName: (deviceId) => this.names.get(deviceId),
    };
  }
}

/**
 * Which of a sealed terminal input's clear `run`, `report` and `querySeq` (the copy the relay
 * checked; see `SealedTerminalChecks`) differs from the sealed value, if any. An input without a
 * clear copy (a device from before it) passes: the relay could not check it, as before the copy
 * existed.
 */
function alteredChecks(wire: InputEvent, opened: InputEvent): string | undefined {
  const sealed = opened.data.payload;
  if (sealed.kind !== 'terminal' || 'sealed' in sealed) return undefined;
  const { run, report, querySeq } = wire.data;
  if (run === undefined && report === undefined) return undefined;
  if (run !== sealed.run) return 'run';
  if ((report ?? false) !== (sealed.report ?? false)) return 'report';
  if (querySeq !== sealed.querySeq) return 'querySeq';
  return undefined;
}
