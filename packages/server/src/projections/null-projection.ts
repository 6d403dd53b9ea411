import type { LogEvent, RunnerSnapshot } from '@baton/protocol';
import type { Projection } from './projection.js';

/** For session kinds with nothing to materialize beyond the session's own metadata. */
export class NullProjection implements Projection {
  private seq = 0;
  apply(event: LogEvent): void {
    this.seq = event.seq;
  }
  snapshot(): Promise<{ seq: number; state: RunnerSnapshot }> {
    return Promise.resolve({ seq: this.seq, state: { kind: 'none' } });
  }
  restore(seq: number): void {
    this.seq = seq;
  }
  dispose(): void {}
}
