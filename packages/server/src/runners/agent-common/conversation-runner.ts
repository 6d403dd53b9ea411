import { randomUUID } from 'node:crypto';
import type { NewLogEvent, PermissionDecision, SessionKind } from '@baton/protocol';
import { RunnerError, type InputEvent, type Runner, type RunnerContext } from '../runner.js';
import type {
  AgentDriver,
  DriverFactory,
  DriverSink,
  PermissionAsk,
  ProcessExit,
  TurnResult,
} from './agent-driver.js';
import { DEFAULT_IDLE_STOP_MS, type AgentRunnerOptions } from './agent-runner-options.js';
import { EmitChain } from './emit-chain.js';
import { describeExit } from './json-lines-process.js';
import { PermissionBook } from './permission-book.js';
import { attributedTexts } from './turn-attribution.js';
import { deliveryKey, recoverFromLog, type QueuedMessage } from './recover-from-log.js';

/** The device id recorded when baton itself closes a permission request nobody answered. */
export const RUNNER_DEVICE_ID = 'baton';

/** Which agent a ConversationRunner runs. */
export interface AgentIdentity {
  kind: SessionKind;
  /** The agent's name in messages shown to people. */
  displayName: string;
  /**
   * Checks the agent can run (binary installed, credentials present) and returns the binary's
   * path; throws RunnerError('agent_unavailable', …) saying what to install or set.
   */
  preflight(): string;
  /**
   * The history of the agent's own conversation `id`, as events marked `imported`, for a
   * session that adopts it (`AgentConfig.resume`); absent when the agent's cannot be read.
   */
  importHistory?(id: string): Promise<NewLogEvent[]>;
}

interface ActiveTurn {
  turnId: string;
  interruptRequested: boolean;
  /** The device that asked for the stop, for `agent.turn.ended.stoppedBy`. */
  stoppedBy?: string;
  done: (result: TurnResult) => void;
}

/**
 * One agent conversation (Claude Code or Codex) behind a session, shared by every device.
 *
 * Invariants:
 * - One agent process per conversation, kept alive across turns. It is started on the first
 *   message, stopped after `idleStopMs` without a turn, and resumed with the agent's own
 *   conversation id (stored as `agent.bound`) on the next message — also after a crash or a
 *   server restart.
 * - One turn at a time. Messages that arrive while a turn runs wait in `queue` (their `input`
 *   events are already in every device's log, so they show as queued); the next turn answers
 *   all of them, and only then are they marked `input.delivered`. A queued message its device
 *   withdrew is left out of the turn (`RunnerContext.takeForTurn`).
 * - Every event goes through one EmitChain, so the log order is the agent's order.
 * - A permission request is answered at most once (PermissionBook): the first answer wins.
 */
export class ConversationRunner implements Runner {
  private readonly chain: EmitChain;
  private readonly permissions = new PermissionBook();
  private readonly queue: QueuedMessage[] = [];
  /** `deliveryKey`s of every input seen: input ids are unique per device, not per session. */
  private seenInputIds = new Set<string>();
  private agentSessionId: string | undefined;
  private driver: AgentDriver | undefined;
  private turn: ActiveTurn | undefined;
  private pumping = false;
  private closed = false;
  /** Set when the process died unexpectedly; cleared by the next successful turn. */
  private failed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleStopMs: number;
  private binary: string | undefined;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly agent: AgentIdentity,
    private readonly createDriver: DriverFactory,
    private readonly options: AgentRunnerOptions,
  ) {
    this.chain = new EmitChain(ctx);
    this.idleStopMs = options.idleStopMs ?? DEFAULT_IDLE_STOP_MS;
  }

  async start(): Promise<void> {
    this.binary = this.agent.preflight();
    const state = await recoverFromLog(this.ctx, this.agent.kind);
    this.agentSessionId = state.agentSessionId;
    const adopt = this.ctx.config.resume;
    // Once bound (the import is stored with its binding), later starts resume the bound id.
    if (adopt !== undefined && state.agentSessionId === undefined) await this.adopt(adopt);
    this.seenInputIds = state.seenInputIds;
    for (const id of state.resolvedPermissions) this.permissions.markResolved(id);
    const cleanup: NewLogEvent[] = [];
    // A turn or prompt still open in the log belongs to a process of an earlier server (ended by
    // then, see ChildRegistry): nobody can answer or finish them any more.
    for (const requestId of state.openPermissions) {
      this.permissions.markResolved(requestId);
      cleanup.push({
        type: 'agent.permission.resolved',
        data: {
          requestId,
          resolution: {
            decision: 'deny',
            message: `expired: the ${this.agent.displayName} process that asked ended (the server restarted) before anyone answered`,
          },
          deviceId: RUNNER_DEVICE_ID,
        },
      });
    }
    if (state.openTurnId !== undefined) {
      cleanup.push({
        type: 'agent.turn.ended',
        data: {
          turnId: state.openTurnId,
          outcome: 'failed',
          error: `the ${this.agent.displayName} process ended during this turn because the server restarted; the conversation continues with the next message`,
        },
      });
    }
    await this.chain.emit(cleanup);
    this.queue.push(...state.undelivered);
    if (this.queue.length > 0) void this.pump();
    else await this.chain.status('idle');
  }

  /**
   * Copies the history of the agent's conversation `id` into the log and binds the session to
   * it, in one write: the imported events and the `agent.bound` that makes every later start
   * (`--resume`, `thread/resume`) continue that conversation are stored together or not at all,
   * so a crash in between never imports twice.
   */
  private async adopt(id: string): Promise<void> {
    if (!this.agent.importHistory) {
      throw new RunnerError(
        'bad_request',
        `baton cannot adopt ${this.agent.displayName} conversations yet; create the session without resume`,
      );
    }
    const history = await this.agent.importHistory(id);
    await this.chain.emit([
      ...history,
      { type: 'agent.bound', data: { agentSessionId: id, agent: this.agent.kind } },
    ]);
    this.agentSessionId = id;
  }

  input(event: InputEvent): Promise<void> {
    const { inputId, deviceId, payload } = event.data;
    const key = deliveryKey(deviceId, inputId);
    if (payload.kind !== 'message') {
      return Promise.reject(
        new RunnerError(
          'bad_request',
          `a ${this.agent.kind} session takes chat messages, not '${payload.kind}' input`,
        ),
      );
    }
    if (this.closed) {
      return Promise.reject(new RunnerError('session_not_running', 'the session was stopped'));
    }
    // Taken already (recovered from the log at start, or a repeat): never answer a message twice.
    if (this.seenInputIds.has(key) && !this.queueHas(key)) {
      if (this.queue.length > 0 && !this.pumping) void this.pump();
      return Promise.resolve();
    }
    this.seenInputIds.add(key);
    if (!this.queueHas(key)) this.queue.push({ inputId, deviceId, text: payload.text });
    if (!this.pumping) void this.pump();
    return Promise.resolve();
  }

  async interrupt(deviceId?: string): Promise<void> {
    const turn = this.turn;
    if (!turn) return;
    turn.interruptRequested = true;
    if (deviceId !== undefined) turn.stoppedBy ??= deviceId;
    if (this.driver) await this.driver.interrupt();
  }

  resize(): void {}

  async answerPermission(
    requestId: string,
    answer: PermissionDecision,
    deviceId: string,
  ): Promise<void> {
    this.permissions.take(requestId);
    const stored = this.chain.emit([
      { type: 'agent.permission.resolved', data: { requestId, resolution: answer, deviceId } },
    ]);
    this.driver?.answerPermission(requestId, answer);
    await stored;
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.clearIdleTimer();
    // While the driver is still current, so the text is stored before the turn ends.
    if (this.turn) this.driver?.keepPartialText?.();
    this.cancelOpenPermissions('the session was stopped');
    this.finishTurn({ outcome: 'interrupted', error: 'the session was stopped' });
    const driver = this.driver;
    this.driver = undefined;
    if (driver) await driver.stop();
    await this.chain.drained();
  }

  // ---- turns -----------------------------------------------------------------------------------

  private queueHas(key: string): boolean {
    return this.queue.some((q) => deliveryKey(q.deviceId, q.inputId) === key);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    this.clearIdleTimer();
    try {
      while (this.queue.length > 0 && !this.closed) {
        // Synchronous from the splice to the gate: a message is either withdrawn before this
        // turn takes it (and left out) or taken by it (and can no longer be withdrawn).
        const batch = this.ctx.takeForTurn(this.queue.splice(0));
        if (batch.length > 0) await this.runTurn(batch);
      }
    } finally {
      this.pumping = false;
    }
    if (this.closed) return;
    // A failed write was logged by the chain; it must not reject pump(), whose callers do not
    // wait for it (an unhandled rejection would end the whole server).
    if (!this.failed) await this.chain.status('idle').catch(() => undefined);
    this.armIdleTimer();
  }

  private async runTurn(batch: QueuedMessage[]): Promise<void> {
    const turnId = `turn_${randomUUID()}`;
    const ended = new Promise<TurnResult>((resolve) => {
      this.turn = { turnId, interruptRequested: false, done: resolve };
    });
    void this.chain.emit([
      ...batch.map((b): NewLogEvent => ({
        type: 'input.delivered',
        data: { inputId: b.inputId, deviceId: b.deviceId },
      })),
      { type: 'agent.turn.started', data: { turnId, inputIds: batch.map((b) => b.inputId) } },
    ]);
    void this.chain.status('running');
    try {
      const driver = await this.ensureDriver();
      if (this.turn?.turnId === turnId && this.turn.interruptRequested) {
        this.finishTurn({ outcome: 'interrupted' });
      } else if (this.turn?.turnId === turnId) {
        await driver.sendTurn(attributedTexts(batch, (id) => this.ctx.deviceName?.(id) ?? id));
      }
    } catch (err) {
      // When the process died, onUnexpectedExit has already ended the turn and said why.
      if (this.turn?.turnId === turnId) {
        const reason = err instanceof Error ? err.message : String(err);
        this.failed = true;
        this.finishTurn({ outcome: 'failed', error: reason });
        void this.chain.status('failed', { reason });
      }
    }
    const result = await ended;
    if (result.outcome !== 'failed' || this.driver) this.failed = false;
  }

  private finishTurn(result: TurnResult): void {
    const turn = this.turn;
    if (!turn) return;
    this.turn = undefined;
    this.cancelOpenPermissions('the turn ended');
    const outcome =
      turn.interruptRequested && result.outcome !== 'completed' ? 'interrupted' : result.outcome;
    const data: NewLogEvent & { type: 'agent.turn.ended' } = {
      type: 'agent.turn.ended',
      data: { turnId: turn.turnId, outcome },
    };
    if (result.error !== undefined && outcome !== 'interrupted') data.data.error = result.error;
    if (outcome === 'interrupted' && turn.stoppedBy !== undefined)
      data.data.stoppedBy = turn.stoppedBy;
    if (result.usage !== undefined) data.data.usage = result.usage;
    if (result.tokens !== undefined) data.data.tokens = result.tokens;
    if (result.costUsd !== undefined) data.data.costUsd = result.costUsd;
    if (result.costUsd !== undefined && result.costEstimated) data.data.costEstimated = true;
    if (result.durationMs !== undefined) data.data.durationMs = result.durationMs;
    void this.chain.emit([data]);
    turn.done(result);
  }

  private cancelOpenPermissions(why: string): void {
    for (const requestId of this.permissions.pending()) this.cancelPermission(requestId, why);
  }

  private cancelPermission(requestId: string, why: string): void {
    if (!this.permissions.cancel(requestId)) return;
    void this.chain.emit([
      {
        type: 'agent.permission.resolved',
        data: {
          requestId,
          resolution: { decision: 'deny', message: `cancelled: ${why}` },
          deviceId: RUNNER_DEVICE_ID,
        },
      },
    ]);
  }

  // ---- the process -----------------------------------------------------------------------------

  private async ensureDriver(): Promise<AgentDriver> {
    if (this.driver) return this.driver;
    const driver = this.createDriver({
      ctx: this.ctx,
      sink: this.sinkFor(() => this.driver === driver),
      options: this.options,
      binary: this.binary ?? this.agent.preflight(),
    });
    this.driver = driver;
    try {
      await driver.start(this.agentSessionId);
    } catch (err) {
      if (this.driver === driver) this.driver = undefined;
      await driver.stop().catch(() => {});
      throw err;
    }
    return driver;
  }

  /** Callbacks for one driver; those of a replaced or stopped driver are ignored. */
  private sinkFor(isCurrent: () => boolean): DriverSink {
    return {
      bound: (agentSessionId) => {
        if (!isCurrent() || agentSessionId === this.agentSessionId) return;
        this.agentSessionId = agentSessionId;
        void this.chain.emit([
          { type: 'agent.bound', data: { agentSessionId, agent: this.agent.kind } },
        ]);
      },
      stream: (messageId, channel, delta) => {
        if (isCurrent()) this.ctx.stream(messageId, channel, delta);
      },
      events: (events) => {
        if (isCurrent()) void this.chain.emit(events);
      },
      permissionRequested: (ask: PermissionAsk) => {
        if (!isCurrent()) return;
        this.permissions.add(ask.requestId);
        const data: NewLogEvent & { type: 'agent.permission.requested' } = {
          type: 'agent.permission.requested',
          data: { requestId: ask.requestId, toolName: ask.toolName, input: ask.input },
        };
        if (ask.toolCallId !== undefined) data.data.toolCallId = ask.toolCallId;
        if (ask.description !== undefined) data.data.description = ask.description;
        void this.chain.emit([data]);
      },
      permissionCancelled: (requestId, why) => {
        if (isCurrent()) this.cancelPermission(requestId, why);
      },
      turnEnded: (result) => {
        if (isCurrent()) this.finishTurn(result);
      },
      exited: (exit) => {
        if (isCurrent()) this.onUnexpectedExit(exit);
      },
    };
  }

  private onUnexpectedExit(exit: ProcessExit): void {
    this.driver = undefined;
    const reason = describeExit(this.agent.displayName, exit);
    this.ctx.log.warn('agent process ended unexpectedly', { reason });
    this.failed = true;
    this.cancelOpenPermissions('the agent process ended');
    this.finishTurn({ outcome: 'failed', error: reason });
    const extra: { reason: string; exitCode?: number } = {
      reason: `${reason}; the next message resumes the conversation`,
    };
    if (exit.code !== null) extra.exitCode = exit.code;
    void this.chain.status('failed', extra);
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    if (!this.driver || this.closed) return;
    this.idleTimer = setTimeout(() => void this.stopIdleProcess(), this.idleStopMs);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private async stopIdleProcess(): Promise<void> {
    this.idleTimer = undefined;
    const driver = this.driver;
    if (!driver || this.turn || this.pumping) return;
    this.driver = undefined;
    this.ctx.log.info('stopping idle agent process; the next message resumes it', {
      idleMs: this.idleStopMs,
    });
    await driver.stop().catch((err: unknown) => {
      this.ctx.log.warn('idle agent process did not stop cleanly', { error: String(err) });
    });
  }
}
