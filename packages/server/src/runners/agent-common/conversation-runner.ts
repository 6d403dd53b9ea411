import { randomUUID } from 'node:crypto';
import { AgentCommand as AgentCommandSchema, AgentModel } from '@baton/protocol';
import type {
  AgentCommand,
  AgentConfig,
  NewLogEvent,
  PermissionDecision,
  SessionKind,
} from '@baton/protocol';
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
import { contextWithSettings, mergeSettings, type AgentSettings } from './agent-settings.js';
import { EmitChain } from './emit-chain.js';
import { describeExit } from './json-lines-process.js';
import { PermissionBook } from './permission-book.js';
import { loadTurnAttachments } from './turn-attachments.js';
import { attributedTexts } from './turn-attribution.js';
import { deliveryKey, recoverFromLog, type QueuedMessage } from './recover-from-log.js';
import { nextTurnLength, parseSlashCommand, type SlashCommand } from './slash-command.js';

/** The most slash commands stored in one `agent.commands` event (the schema's limit). */
const MAX_COMMANDS = 2000;

/** The device id recorded when baton itself closes a permission request nobody answered. */
export const RUNNER_DEVICE_ID = 'baton';

/** Which agent a ConversationRunner runs. */
export interface AgentIdentity {
  kind: SessionKind;
  /** The agent's name in messages shown to people. */
  displayName: string;
  /**
   * Checks the agent can run with `config` (the session's by default): binary installed,
   * credentials present, a permission mode it has. Returns the binary's path; throws
   * RunnerError('agent_unavailable' | 'bad_request', …) saying what to install or set.
   */
  preflight(config?: AgentConfig): string;
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
  /** Set when the turn runs a slash command: the device that sent it. */
  commandBy?: string;
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
  /** The model and permission mode devices chose (`agent.settings.changed`), over the config's. */
  private settings: AgentSettings = {};
  /** The slash commands the agent last reported; unknown until it did. */
  private commands: AgentCommand[] | undefined;

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
    this.settings = state.settings;
    this.commands = state.commands;
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
    if (!this.queueHas(key)) {
      const { text, attachments } = payload;
      this.queue.push({ inputId, deviceId, text, ...(attachments ? { attachments } : {}) });
    }
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
        const batch = this.ctx.takeForTurn(this.queue.splice(0, nextTurnLength(this.queue)));
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
    const command = batch.length === 1 ? parseSlashCommand(batch[0]!.text) : undefined;
    try {
      // Read (and saved as files) before the stop check below, so a stop that came meanwhile
      // ends the turn before anything is sent.
      const attachments = await loadTurnAttachments(
        this.ctx,
        batch.flatMap((b) => b.attachments ?? []),
      );
      // `/model` needs no process: a change reaches the running one, or the next one's flags.
      const driver = command?.name === 'model' ? undefined : await this.ensureDriver();
      if (this.turn?.turnId !== turnId) {
        // Ended meanwhile (the process died, or the session was stopped).
      } else if (this.turn.interruptRequested) {
        this.finishTurn({ outcome: 'interrupted' });
      } else if (command && !driver) {
        await this.modelCommand(command, batch[0]!.deviceId);
      } else if (command && driver) {
        this.turn.commandBy = batch[0]!.deviceId;
        await this.runCommand(driver, command, batch[0]!.text);
      } else if (driver) {
        await driver.sendTurn(
          attributedTexts(batch, (id) => this.ctx.deviceName?.(id) ?? id),
          attachments,
        );
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

  /**
   * A slash command's turn, the agent's to run. The driver knows which commands exist (Claude
   * Code's list omits aliases such as `/cost`, so the Claude driver checks the list and the
   * aliases it knows): one the agent does not have ends the turn as failed, with an error every
   * device sees, and the conversation goes on.
   */
  private async runCommand(
    driver: AgentDriver,
    command: SlashCommand,
    text: string,
  ): Promise<void> {
    if (driver.runCommand) await driver.runCommand(command, text);
    else await driver.sendTurn([text], []);
  }

  /**
   * `/model`: baton's own, for every agent, so the change is stored and seen by every device
   * like one made with `agent.settings` (the agent's own `/model` would change only its running
   * process, and a resume would forget it). Without an argument it says which model is in use.
   */
  private async modelCommand(command: SlashCommand, deviceId: string): Promise<void> {
    const output = (text: string): NewLogEvent => ({
      type: 'agent.text',
      data: { messageId: `cmd_${randomUUID()}`, text, command: 'model' },
    });
    if (command.args === '') {
      const model = this.settings.model ?? this.ctx.config.model;
      await this.chain.emit([
        output(
          model === undefined
            ? `The model is ${this.agent.displayName}'s default. /model <name> changes it from the next turn on.`
            : `The model is ${model}. /model <name> changes it from the next turn on.`,
        ),
      ]);
      this.finishTurn({ outcome: 'completed' });
      return;
    }
    try {
      await this.changeSettings({ model: command.args }, deviceId);
    } catch (err) {
      this.finishTurn({ outcome: 'failed', error: (err as Error).message });
      return;
    }
    await this.chain.emit([output(`Model set to ${command.args}; it answers from the next turn.`)]);
    this.finishTurn({ outcome: 'completed' });
  }

  /**
   * Changes the model and/or permission mode from the next turn on, for every device: checked
   * against what the agent accepts (`preflight`), told to the running process if there is one
   * (a refusal is stored as an `agent.error` and rejects, and nothing changes), then stored as
   * `agent.settings.changed`. A process started later gets them on its command line.
   */
  async changeSettings(change: AgentSettings, deviceId: string): Promise<void> {
    if (change.model === undefined && change.permissionMode === undefined)
      throw new RunnerError('bad_request', 'give a model, a permission mode or both to change');
    if (this.closed) throw new RunnerError('session_not_running', 'the session was stopped');
    if (change.model !== undefined && !AgentModel.safeParse(change.model).success)
      throw new RunnerError(
        'bad_request',
        `'${change.model}' is not a model name: use the agent's name for it, without spaces (for example sonnet, opus, gpt-5.1-codex)`,
      );
    this.agent.preflight(mergeSettings(this.ctx.config, mergeSettings(this.settings, change)));
    const driver = this.driver;
    if (driver?.applySettings) {
      try {
        await driver.applySettings(change);
      } catch (err) {
        const message = `${this.agent.displayName} refused ${describeChange(change)}: ${(err as Error).message}`;
        await this.chain.emit([
          { type: 'agent.error', data: { message, code: 'settings_refused' } },
        ]);
        throw new RunnerError('bad_request', message);
      }
    }
    this.settings = mergeSettings(this.settings, change);
    await this.chain.emit([{ type: 'agent.settings.changed', data: { ...change, deviceId } }]);
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
      ctx: contextWithSettings(this.ctx, this.settings),
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
      commands: (reported) => {
        // Names come from the agent's own config (custom and plugin commands): one that does
        // not fit the schema is left out rather than failing the session's write.
        const commands = reported
          .filter((c) => AgentCommandSchema.safeParse(c).success)
          .slice(0, MAX_COMMANDS);
        if (!isCurrent() || JSON.stringify(commands) === JSON.stringify(this.commands)) return;
        this.commands = commands;
        void this.chain.emit([{ type: 'agent.commands', data: { commands } }]);
      },
      cleared: () => {
        const deviceId = this.turn?.commandBy;
        if (isCurrent() && deviceId !== undefined)
          void this.chain.emit([{ type: 'agent.cleared', data: { deviceId } }]);
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

/** `the model 'x'`, `the permission mode 'y'`, or both, for messages. */
function describeChange(change: AgentSettings): string {
  const parts: string[] = [];
  if (change.model !== undefined) parts.push(`the model '${change.model}'`);
  if (change.permissionMode !== undefined)
    parts.push(`the permission mode '${change.permissionMode}'`);
  return parts.join(' and ');
}
