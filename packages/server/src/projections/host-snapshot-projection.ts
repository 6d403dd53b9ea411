import type { LogEvent, RunnerSnapshot, SealedEnvelopeShape } from '@baton/protocol';
import type { Projection } from './projection.js';

/**
 * A sealed session's projection on a relay (docs/protocol.md, "Sealed snapshots"). The relay
 * cannot read the session, so it materializes nothing itself: its state is the newest snapshot
 * the session's host made and sealed (`{ sealed }`, verified before it is offered), at the seq
 * the host named. Events applied after it do not move that seq: the snapshot describes exactly
 * the events up to it, which is what catch-up and compaction rely on.
 */
export class HostSnapshotProjection implements Projection {
  private seq = 0;
  private sealed: SealedEnvelopeShape | undefined;

  apply(_event: LogEvent): void {}

  /** Takes the host's snapshot at `seq` when it is newer than the one held. */
  offer(seq: number, sealed: SealedEnvelopeShape): boolean {
    if (seq <= this.seq) return false;
    this.seq = seq;
    this.sealed = sealed;
    return true;
  }

  /** The seq of the newest host snapshot (0: none yet). */
  get snapshotSeq(): number {
    return this.sealed ? this.seq : 0;
  }

  snapshot(): Promise<{ seq: number; state: RunnerSnapshot }> {
    if (!this.sealed) return Promise.resolve({ seq: 0, state: { kind: 'none' } });
    // The wire state of a sealed snapshot (`SealedRunnerSnapshot`) travels where a runner
    // snapshot does; only clients that hold the session's keys read inside it.
    const state = { sealed: this.sealed } as unknown as RunnerSnapshot;
    return Promise.resolve({ seq: this.seq, state });
  }

  restore(seq: number, state: RunnerSnapshot): void {
    const sealed = (state as { sealed?: SealedEnvelopeShape }).sealed;
    if (sealed !== undefined) this.offer(seq, sealed);
  }

  dispose(): void {}
}
