import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AgentConfig,
  LogEvent,
  NewLogEvent,
  SealedEnvelopeShape,
  SessionKind,
  SessionStatus,
  TerminalConfig,
} from '@baton/protocol';
import { BatonError } from '../baton-error.js';
import type { Logger } from '../logger.js';
import type { Projection } from '../projections/projection.js';
import type { ChildRegistry } from '../runners/child-processes/child-registry.js';
import {
  RunnerError,
  type InputEvent,
  type Runner,
  type RunnerContext,
  type RunnerFactory,
  type SealedFragment,
} from '../runners/runner.js';
import type { Store } from '../storage/store.js';
import { appendUntilStored } from './append-until-stored.js';
import { parseStored, type CommittedEvent } from './event-frame.js';
import { Inbox } from './inbox.js';
import { nextRun } from './input-run.js';
import { restartSeparator } from '../runners/terminal/restart-separator.js';
import { invalidRunnerEvent } from './runner-event-check.js';
import { STOP_TIMEOUT_MS, withTimeout } from '../runners/stop-within.js';

/** What the supervisor needs of the session it runs a runner for. */
export interface SupervisedSession {
  readonly id: string;
  readonly kind: SessionKind;
  readonly config: TerminalConfig & AgentConfig;
  readonly isAgent: boolean;
  /** Sealed (relay): its host's events carry envelopes, verified before they reach here. */
  readonly sealed: unknown;
  readonly status: SessionStatus;
  /** True once the session was deleted: its runner's calls are ignored from then on. */
  readonly isDeleted: boolean;
  readonly logState: { readonly headSeq: number };
  /** `patch.hostOut`: a relay's record of the host output these events stand for. */
  append(events: NewLogEvent[], patch?: { hostOut: number }): Promise<CommittedEvent[]>;
  setStatus(
    status: SessionStatus,
    extra?: { reason?: string; exitCode?: number; signal?: number; hostOut?: number },
  ): Promise<void>;
  /** Sends a streaming fragment to every live subscriber and keeps it for later joiners. */
  broadcastStream(
    messageId: string,
    channel: 'text' | 'thinking',
    delta: string,
    sealed?: SealedFragment,
  ): void;
  /** Sealed sessions: the commit of host `out` `n` finishes these streamed messages. */
  streamsFinishing(n: number, messageIds: readonly string[]): void;
  /** See `RunnerContext.hostSnapshot`. */
  hostSnapshot(seq: number, sealed: SealedEnvelopeShape): Promise<void>;
  /** See `RunnerContext.takeForTurn`. */
  takeForTurn<T extends { deviceId: string; inputId: string }>(batch: T[]): T[];
}

export interface RunnerSupervisorDeps {
  factory: RunnerFactory | undefined;
  children: ChildRegistry;
  store: Store;
  projection: Projection;
  log: Logger;
  dataDir: string;
  /** See `RunnerContext.deviceName`. */
  deviceName?(deviceId: string): string | undefined;
}

/**
 * The runner of one session: starts it, hands it the session's inputs in log order, stops and
 * restarts it, and gives it its RunnerContext.
 *
 * Invariant: at most one runner is current. Replacing or dropping it bumps `generation`, and a
 * context only acts while its generation is current, so a stopped runner's late emits, status
 * changes and streams are ignored.
 */
export class RunnerSupervisor {
  private runner: Runner | undefined;
  /** Bumped whenever a runner is replaced, so a stale runner's late calls are ignored. */
  private generation = 0;
  /** The runner's start count as clients see it (`SessionInfo.run`); see `nextRun`. */
  private runCount = 0;
  private readonly inbox: Inbox;
  /**
   * Inputs reach the inbox in commit order through this chain. Without it, an input that waits
   * for an agent runner to start could be overtaken by a later input that finds it started.
   */
  private handoff: Promise<void> = Promise.resolve();
  /** The start of the current runner (settled once it has started, or failed to). */
  private starting: Promise<void> = Promise.resolve();

  constructor(
    private readonly session: SupervisedSession,
    private readonly deps: RunnerSupervisorDeps,
  ) {
    this.inbox = new Inbox(
      () => this.runner,
      (event, err) => this.onInputFailed(event, err),
      deps.log,
    );
  }

  /** The run terminal keystrokes are bound to (`SessionInfo.run`). */
  get run(): number {
    return this.runCount;
  }

  /** The current runner, if one is started (or starting). */
  get current(): Runner | undefined {
    return this.runner;
  }

  /**
   * Hands a committed input to the runner, after every input committed before it. An agent's
   * runner is started for it when there is none. Resolves once the inbox has it.
   */
  handOver(event: InputEvent): Promise<void> {
    return (this.handoff = this.handoff.then(async () => {
      // A runner that cannot start marks the session failed; the input stays in the log.
      // For a runner still starting this waits for its start; for a started one it is free.
      if (this.session.isAgent) await this.ensure().catch(() => {});
      this.inbox.push(event);
    }));
  }

  /**
   * Resolves once every input the inbox has been given so far has reached the runner. An input
   * still in `handOver` is not counted: its caller (`LiveSession.submitInput`) waits for that.
   */
  inputsTaken(): Promise<void> {
    return this.inbox.taken();
  }

  /**
   * Creates and starts the runner. A start failure marks the session failed with the reason.
   * A caller that finds a runner still starting waits for that start (and shares its outcome),
   * so nothing is handed to a runner before `start()` has finished.
   */
  ensure(): Promise<void> {
    if (this.runner) return this.starting;
    this.starting = this.start();
    return this.starting;
  }

  private async start(): Promise<void> {
    const { factory } = this.deps;
    const { id, kind } = this.session;
    if (!factory) {
      await this.session.setStatus('failed', {
        reason: `no runner is available for ${kind} sessions`,
      });
      throw new BatonError('agent_unavailable', `no runner is available for ${kind} sessions`);
    }
    const generation = ++this.generation;
    this.runCount = nextRun(this.runCount, this.session.logState.headSeq);
    const runner = factory.create(this.context(generation));
    this.runner = runner;
    try {
      await runner.start();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (this.runner === runner) this.runner = undefined;
      await this.session.setStatus('failed', { reason: message });
      const code = err instanceof RunnerError ? err.code : 'bad_request';
      throw new BatonError(code, `session ${id} could not start: ${message}`);
    }
  }

  /** Stops the runner; the session and its log stay. */
  async stop(): Promise<void> {
    const session = this.session;
    const runner = this.runner;
    if (!runner) {
      if (session.status !== 'exited' && session.status !== 'failed') {
        await session.setStatus('exited', { reason: 'stopped' });
      }
      return;
    }
    await session.setStatus('stopping');
    this.drop();
    let failure: string | undefined;
    try {
      await withTimeout(runner.stop(), STOP_TIMEOUT_MS, 'the process did not stop within 10 s');
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    if (session.status === 'stopping') {
      await session.setStatus(failure ? 'failed' : 'exited', { reason: failure ?? 'stopped' });
    }
  }

  /** Starts the runner again (same config and working directory) after it exited or failed. */
  async restart(): Promise<void> {
    if (this.runner) await this.stop();
    await this.session.setStatus('starting');
    // Not in a sealed session: a device shows only what its host sealed as terminal output.
    if (this.session.kind === 'terminal' && this.session.sealed === undefined) {
      // Committed before the new runner starts, so it lands between the old output and the new.
      const data = restartSeparator(new Date());
      await this.session.append([{ type: 'terminal.output', data: { data } }]);
    }
    await this.ensure();
  }

  /** Stops the runner without recording anything; for delete and server shutdown. */
  async release(): Promise<void> {
    const runner = this.runner;
    this.drop();
    if (runner) await withTimeout(runner.stop(), STOP_TIMEOUT_MS, 'stop timed out').catch(() => {});
  }

  /**
   * Ends a runner that broke its contract (made an event that cannot be stored). Only this
   * session fails, with the reason for every device to see; nothing of the bad event is stored.
   * The stop is not awaited: the runner may be waiting on the very emit that called this.
   */
  private async fail(generation: number, reason: string): Promise<void> {
    if (generation !== this.generation || this.session.isDeleted) return;
    const runner = this.runner;
    this.drop();
    this.deps.log.error('runner made an invalid event; session failed', {
      session: this.session.id,
      reason,
    });
    if (runner) {
      withTimeout(runner.stop(), STOP_TIMEOUT_MS, 'stop timed out').catch((err: unknown) =>
        this.deps.log.warn('stopping the failed runner', { error: (err as Error).message }),
      );
    }
    await this.session.setStatus('failed', { reason });
  }

  /** Forgets the current runner: its context goes stale and queued inputs stay in the log only. */
  private drop(): void {
    this.runner = undefined;
    this.generation++;
    this.inbox.clear();
  }

  private onInputFailed(event: InputEvent, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.deps.log.warn('runner refused an input', {
      session: this.session.id,
      inputId: event.data.inputId,
      error: message,
    });
    if (this.session.isAgent) {
      void this.session
        .append([
          {
            type: 'agent.error',
            data: { message: `input ${event.data.inputId} failed: ${message}` },
          },
        ])
        .catch((e: unknown) =>
          this.deps.log.warn('could not store an agent error', {
            session: this.session.id,
            error: e instanceof Error ? e.message : String(e),
          }),
        );
    }
  }

  private context(generation: number): RunnerContext {
    const session = this.session;
    const deps = this.deps;
    const current = () => generation === this.generation && !session.isDeleted;
    const sessionDir = join(deps.dataDir, 'sessions', session.id);
    const log = deps.log.child({ session: session.id });
    // Runner writes are retried while the store cannot write, until they are stored or this
    // runner is no longer current: output is never dropped with only a log line (appendUntilStored).
    const retry = {
      stillWanted: current,
      onRetry: (err: Error, attempt: number) => {
        if (attempt === 1)
          log.warn('runner output held until the store writes', { error: err.message });
      },
    };
    return {
      sessionId: session.id,
      kind: session.kind,
      config: session.config,
      get sessionDir() {
        mkdirSync(sessionDir, { recursive: true });
        return sessionDir;
      },
      log,
      children: deps.children.forSession(session.id),
      emit: async (events: NewLogEvent[], opts = {}): Promise<LogEvent[]> => {
        if (!current()) return [];
        const invalid = invalidRunnerEvent(events, session.sealed !== undefined);
        if (invalid !== undefined) {
          await this.fail(generation, `the ${session.kind} runner failed: ${invalid}`);
          throw new RunnerError('internal', invalid);
        }
        const patch = opts.hostOut !== undefined ? { hostOut: opts.hostOut } : undefined;
        // Before the append: its commit (onCommitted) is where the fragments are forgotten.
        if (opts.hostOut !== undefined && opts.finishes?.length)
          session.streamsFinishing(opts.hostOut, opts.finishes);
        const committed = await appendUntilStored(() => session.append(events, patch), retry);
        return (committed ?? []).map((c) => c.event);
      },
      stream: (messageId, channel, delta, sealed) => {
        if (!current()) return;
        session.broadcastStream(messageId, channel, delta, sealed);
      },
      setStatus: async (status, extra) => {
        if (!current()) return;
        await appendUntilStored(() => session.setStatus(status, extra), retry);
        // A shell that ended is done; an agent runner stays and resumes on the next input.
        if (!session.isAgent && (status === 'exited' || status === 'failed') && current()) {
          this.drop();
        }
      },
      readEvents: async (afterSeq, limit) =>
        (await deps.store.readEvents(session.id, afterSeq, limit)).map(parseStored),
      latestSnapshot: async () => (await deps.projection.snapshot()).state,
      hostSnapshot: async (seq, sealed) => {
        if (current()) await session.hostSnapshot(seq, sealed);
      },
      takeForTurn: (batch) => session.takeForTurn(batch),
      // Only the session's own (docs/protocol.md, "Attachments"): a relay's host reads through
      // here, and the id alone must not open another session's files.
      readAttachment: async (id) =>
        (await deps.store.describeAttachments(session.id, [id])).has(id)
          ? deps.store.getAttachment(id)
          : undefined,
      ...(deps.deviceName ? { deviceName: deps.deviceName } : {}),
    };
  }
}
