import type { LogEvent, SealedEnvelopeShape, SessionKind } from '@baton/protocol';
import { CounterGuard } from '@baton/seal';
import type { Logger } from '../logger.js';
import {
  snapshotJsonOf,
  type Projection,
  type ProjectionFactory,
} from '../projections/projection.js';
import type { HostSealing } from './host-sealing.js';

/** A snapshot after this many committed events of the session (as the relay's checkpoints). */
export const SNAPSHOT_EVERY_EVENTS = 1000;
/** And once the session's log was quiet this long after a change: late joiners get the screen. */
export const SNAPSHOT_QUIET_MS = 2000;
/** Events read from the relay per `read`. */
const READ_PAGE = 1000;

export interface SealedSnapshotsDeps {
  sessionId: string;
  kind: SessionKind;
  size: { cols: number; rows: number };
  projections: readonly ProjectionFactory[];
  sealing: HostSealing;
  /** The session's stored state at the relay (the host link's `read`). */
  read(
    what: { kind: 'events'; afterSeq: number; limit: number } | { kind: 'snapshot' },
  ): Promise<unknown>;
  /** Sends a sealed snapshot up; false when the link is down or the relay takes none. */
  send(seq: number, sealed: SealedEnvelopeShape): boolean;
  every: number;
  quietMs: number;
  log: Logger;
}

/**
 * The host's snapshots of one sealed session (docs/protocol.md, "Sealed snapshots"). The relay
 * cannot read a sealed session, so it cannot project it; the host can. This keeps the same
 * projection the server would (terminal screen, agent conversation), fed with the session's
 * exact log in seq order: read back from the relay (it holds the order), each event opened with
 * the host's keys. Every `every` committed events, and when the log went quiet after a change,
 * it snapshots the projection, seals the state and sends it up.
 *
 * Invariant: the projection has applied exactly the stored events up to `appliedSeq`, in order
 * (an event that does not open is skipped, as every reader skips it); a snapshot names the seq
 * of the last event it includes, so the relay may drop the events at or below it.
 */
export class SealedSnapshots {
  private projection: Projection | undefined;
  private appliedSeq = 0;
  private sentSeq = 0;
  private pending = 0;
  /** The highest counter of each author's lanes among the events applied (the body's). */
  private counters = new CounterGuard();
  private running: Promise<void> | undefined;
  private again = false;
  private quiet: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: SealedSnapshotsDeps) {}

  /** `count` more events of the session were committed at the relay. */
  committed(count: number): void {
    if (this.closed || count <= 0) return;
    this.pending += count;
    clearTimeout(this.quiet);
    // request() never rejects (it logs what failed).
    if (this.pending >= this.deps.every) {
      void this.request();
      return;
    }
    this.quiet = setTimeout(() => void this.request(), this.deps.quietMs);
    this.quiet.unref();
  }

  /** Makes and sends a snapshot now (after the one running, if any). */
  request(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run()
      .catch((err: unknown) =>
        this.deps.log.warn('could not make a sealed snapshot', {
          session: this.deps.sessionId,
          error: (err as Error).message,
        }),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          void this.request();
        }
      });
    return this.running;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.quiet);
    this.projection?.dispose();
    this.projection = undefined;
  }

  private async run(): Promise<void> {
    const projection = await this.caughtUp();
    if (!projection || this.closed) return;
    this.pending = 0;
    const snap = await snapshotJsonOf(projection);
    if (snap.seq <= this.sentSeq || this.closed) return;
    // Nothing is applied between the catch-up and here: the counters are those up to snap.seq.
    const sealed = await this.deps.sealing.sealSnapshot(
      this.deps.sessionId,
      snap.seq,
      snap.parts,
      this.counters.entries(this.deps.sessionId),
    );
    // Sealing awaits WebCrypto: the host may have forgotten the session (close) meanwhile.
    if (this.closed) return;
    if (this.deps.send(snap.seq, sealed)) this.sentSeq = snap.seq;
  }

  /** The projection with every stored event applied, or undefined when it cannot be had. */
  private async caughtUp(): Promise<Projection | undefined> {
    const { deps } = this;
    if (!this.projection) {
      const factory = deps.projections.find((p) => p.kinds.includes(deps.kind));
      if (!factory) return undefined;
      this.projection = factory.create(deps.size);
      this.appliedSeq = 0;
      this.counters = new CounterGuard();
      // A host that restarted goes on from its last snapshot (the relay may have dropped the
      // events before it): opened with its own keys, so the relay cannot swap another in.
      await this.restore(this.projection);
    }
    const projection = this.projection;
    for (;;) {
      const page = (await deps.read({
        kind: 'events',
        afterSeq: this.appliedSeq,
        limit: READ_PAGE,
      })) as LogEvent[];
      if (this.closed || this.projection !== projection) return undefined;
      if (!Array.isArray(page) || page.length === 0) return projection;
      if (page[0]!.seq !== this.appliedSeq + 1) {
        // The events after appliedSeq were compacted: only a snapshot at or after them helps.
        const restored = await this.restore(projection);
        if (!restored || this.appliedSeq + 1 < page[0]!.seq) {
          deps.log.warn('a sealed session has a gap the host cannot fill; no snapshots', {
            session: deps.sessionId,
            from: this.appliedSeq + 1,
            to: page[0]!.seq - 1,
          });
          this.close();
          return undefined;
        }
        continue;
      }
      const bySeq = new Map(page.map((e) => [e.seq, e]));
      for (const event of await deps.sealing.openStored(deps.sessionId, page)) {
        projection.apply(event);
        const by = sealedBy(bySeq.get(event.seq));
        if (by) this.counters.note(this.deps.sessionId, by.author, by.counter);
      }
      this.appliedSeq = page[page.length - 1]!.seq;
      if (page.length < READ_PAGE) return projection;
    }
  }

  private async restore(projection: Projection): Promise<boolean> {
    const stored = (await this.deps.read({ kind: 'snapshot' })) as { sealed?: unknown } | undefined;
    if (!stored || typeof stored !== 'object' || stored.sealed === undefined) return false;
    const opened = await this.deps.sealing.openSnapshot(this.deps.sessionId, stored.sealed);
    if (!opened || opened.seq < this.appliedSeq) return false;
    projection.restore(opened.seq, opened.runner);
    this.appliedSeq = opened.seq;
    this.counters = new CounterGuard();
    this.counters.restore(this.deps.sessionId, opened.counters);
    this.sentSeq = Math.max(this.sentSeq, opened.seq);
    return true;
  }
}

/** The author and counter of a stored event's envelope (a host event's, or an input's). */
function sealedBy(event: LogEvent | undefined): { author: string; counter: number } | undefined {
  const data = event?.data as { sealed?: unknown; payload?: { sealed?: unknown } } | undefined;
  const sealed = (data?.sealed ?? data?.payload?.sealed) as
    { author?: unknown; counter?: unknown } | undefined;
  if (typeof sealed?.author !== 'string' || typeof sealed.counter !== 'number') return undefined;
  return { author: sealed.author, counter: sealed.counter };
}
