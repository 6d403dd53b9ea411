/**
 * Whether the store is accepting writes, as a two-state machine:
 *
 *   ok ──(a commit fails as a whole: full disk, I/O error)──▶ degraded
 *   degraded ──(a commit or a probe write succeeds)──▶ ok
 *
 * While degraded, a small probe write runs every `probeMs`, so the state returns to `ok` by
 * itself once space is back, even when nothing else is writing. `/api/health` reports this state
 * and sessions whose writes failed show `degraded` until it recovers.
 */
export type StoreState = { state: 'ok' } | { state: 'degraded'; error: string; since: number };

export interface StoreHealthOptions {
  /** A tiny write that succeeds only when the store can commit again. */
  probe(): Promise<void>;
  /** Time between probe writes while degraded. Default 1 s. */
  probeMs?: number;
  /** Called on every transition, after the state has changed. */
  onChange?(state: StoreState): void;
}

export class StoreHealth {
  private current: StoreState = { state: 'ok' };
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;
  private readonly probeMs: number;
  /** Resolved (and dropped) at the next transition to `degraded`; see whenDegraded. */
  private degradedSignal: { promise: Promise<void>; resolve(): void } | undefined;

  constructor(private readonly opts: StoreHealthOptions) {
    this.probeMs = opts.probeMs ?? 1000;
  }

  get state(): StoreState {
    return this.current;
  }

  get degraded(): boolean {
    return this.current.state === 'degraded';
  }

  /** Resolves once the store is degraded: at once when it is, else at the next failure. */
  whenDegraded(): Promise<void> {
    if (this.degraded) return Promise.resolve();
    if (!this.degradedSignal) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.degradedSignal = { promise, resolve };
    }
    return this.degradedSignal.promise;
  }

  /** A whole commit failed: the store cannot write. */
  failed(error: Error): void {
    if (this.current.state === 'degraded') {
      this.current = { ...this.current, error: error.message };
      return;
    }
    this.current = { state: 'degraded', error: error.message, since: Date.now() };
    this.scheduleProbe();
    this.degradedSignal?.resolve();
    this.degradedSignal = undefined;
    this.opts.onChange?.(this.current);
  }

  /** A commit went through: the store writes again. */
  succeeded(): void {
    if (this.current.state === 'ok') return;
    this.current = { state: 'ok' };
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.opts.onChange?.(this.current);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleProbe(): void {
    if (this.closed || this.timer || this.probing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runProbe();
    }, this.probeMs);
    this.timer.unref();
  }

  private async runProbe(): Promise<void> {
    if (this.closed || this.current.state === 'ok') return;
    this.probing = true;
    try {
      await this.opts.probe();
      this.probing = false;
      this.succeeded();
    } catch (err) {
      this.probing = false;
      if (this.current.state === 'degraded') {
        this.current = { ...this.current, error: (err as Error).message };
      }
      this.scheduleProbe();
    }
  }
}
