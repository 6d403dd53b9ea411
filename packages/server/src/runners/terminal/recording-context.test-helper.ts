import type { LogEvent, NewLogEvent, SessionStatus, TerminalConfig } from '@baton/protocol';
import { createLogger } from '../../logger.js';
import { unpersistedChildTracker } from '../child-processes/child-registry.js';
import type { RunnerContext } from '../runner.js';

/** A status change as recorded by RecordingContext. */
export interface RecordedStatus {
  status: SessionStatus;
  extra?: { reason?: string; exitCode?: number; signal?: number };
}

/**
 * A RunnerContext for unit tests of a single runner: it "commits" emits into an in-memory array
 * with sequence numbers, optionally slowly, and records status changes.
 */
export class RecordingContext implements RunnerContext {
  readonly sessionId = 'sess_test';
  readonly kind = 'terminal' as const;
  readonly sessionDir = '/tmp';
  readonly log = createLogger('silent');
  readonly children = unpersistedChildTracker();
  readonly events: LogEvent[] = [];
  readonly statuses: RecordedStatus[] = [];
  readonly emitCalls: number[] = [];
  private inFlight = 0;
  maxConcurrentEmits = 0;

  constructor(
    readonly config: TerminalConfig,
    private readonly emitDelayMs = 0,
  ) {}

  async emit(events: NewLogEvent[]): Promise<LogEvent[]> {
    this.inFlight += 1;
    this.maxConcurrentEmits = Math.max(this.maxConcurrentEmits, this.inFlight);
    this.emitCalls.push(events.length);
    if (this.emitDelayMs > 0) await new Promise((r) => setTimeout(r, this.emitDelayMs));
    const committed = events.map(
      (e) => ({ ...e, seq: this.events.length + 1, ts: Date.now() }) as LogEvent,
    );
    // Sequence numbers are assigned one by one so they stay gap-free.
    committed.forEach((e, i) => (e.seq = this.events.length + 1 + i));
    this.events.push(...committed);
    this.inFlight -= 1;
    return committed;
  }

  stream(): void {}

  setStatus(status: SessionStatus, extra?: RecordedStatus['extra']): Promise<void> {
    this.statuses.push(extra ? { status, extra } : { status });
    return Promise.resolve();
  }

  readEvents(afterSeq: number, limit: number): Promise<LogEvent[]> {
    return Promise.resolve(this.events.filter((e) => e.seq > afterSeq).slice(0, limit));
  }

  latestSnapshot(): Promise<{ kind: 'none' }> {
    return Promise.resolve({ kind: 'none' });
  }

  takeForTurn<T>(batch: T[]): T[] {
    return batch;
  }

  readAttachment(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  /** All terminal output committed so far, concatenated in log order. */
  output(): string {
    return this.events.map((e) => (e.type === 'terminal.output' ? e.data.data : '')).join('');
  }
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
