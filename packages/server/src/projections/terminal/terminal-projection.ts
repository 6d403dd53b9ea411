import type { LogEvent, RunnerSnapshot } from '@baton/protocol';
import type { Projection } from '../projection.js';
import type { Screen } from './screen.js';

/**
 * A terminal session's screen, derived from its committed `terminal.output` and
 * `terminal.resized` events. Other events do not touch the screen.
 *
 * `snapshot` serializes the screen as of exactly the last event applied before the call, even
 * though the screen is parsed asynchronously (see Screen), and returns that event's seq.
 */
export class TerminalProjection implements Projection {
  /** Seq of the last event applied (or restored up to). */
  private seq = 0;

  constructor(private readonly screen: Screen) {}

  apply(event: LogEvent): void {
    this.seq = event.seq;
    if (event.type === 'terminal.output') this.screen.write(event.data.data);
    else if (event.type === 'terminal.resized')
      this.screen.resize(event.data.cols, event.data.rows);
  }

  /** The screen as of the last event applied when called; its `seq` is that event's. */
  async snapshot(): Promise<{ seq: number; state: RunnerSnapshot }> {
    const seq = this.seq;
    const { screen, cols, rows } = await this.screen.snapshot();
    return { seq, state: { kind: 'terminal', screen, cols, rows } };
  }

  restore(seq: number, state: RunnerSnapshot): void {
    this.seq = seq;
    if (state.kind === 'none') return;
    if (state.kind !== 'terminal') {
      throw new Error(`A terminal session cannot restore a snapshot of kind "${state.kind}".`);
    }
    this.screen.restore({ screen: state.screen, cols: state.cols, rows: state.rows });
  }

  dispose(): void {
    this.screen.dispose();
  }
}
