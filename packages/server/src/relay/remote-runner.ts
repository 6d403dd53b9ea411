import type { NewLogEvent, PermissionDecision, SealedEnvelopeShape } from '@baton/protocol';
import type { Logger } from '../logger.js';
import {
  RunnerError,
  type InputEvent,
  type Runner,
  type RunnerContext,
  type SealedFragment,
} from '../runners/runner.js';
import type { HostBound, HostDirectory } from './host-directory.js';
import { LinkClosed, type HostLink } from './host-link.js';
import type { OutLedger } from './out-ledger.js';

/** What a host sent about this runner's session: output to commit, a delta, a read. */
export type HostOutFrame = {
  n: number;
  /** Sealed sessions, host link 5: the streamed messages whose final events `body` carries. */
  finishes?: readonly string[] | undefined;
  body:
    | { kind: 'events'; events: { type: string; data?: unknown }[] }
    | {
        kind: 'status';
        status: Parameters<RunnerContext['setStatus']>[0];
        reason?: string | undefined;
        exitCode?: number | undefined;
        signal?: number | undefined;
      };
};

/**
 * A session's runner on a relay: the real runner runs on the session's host, and this one
 * forwards to it over the host's link and commits what comes back.
 *
 * - Inputs reach the host in log order, one at a time (the inbox awaits `input`). While the
 *   host is offline a chat message waits here, in the session's inbox, and goes out when the
 *   host returns; a terminal keystroke expires at once (it would land in whatever program has
 *   the foreground by then). A chat message passes the withdrawal gate (`takeForTurn`) as it
 *   leaves for the host, so it can be withdrawn for as long as it waits here.
 * - After a reconnect the runner is started again with `resume` (a host that kept it running
 *   keeps it), and a chat message the host did not confirm is sent again: the host takes each
 *   seq once.
 * - Host output (`out`) is committed in the order the host numbered it, then acknowledged; a
 *   number already committed is acknowledged again without storing it twice: the number is
 *   stored in the same commit as the output (OutLedger).
 */
export class RemoteRunner implements Runner, HostBound {
  private link: HostLink | undefined;
  private linkWaiters: (() => void)[] = [];
  private stopped = false;
  private size: { cols: number; rows: number } | undefined;
  /** Commits of host output, one after another. */
  private outChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: RunnerContext,
    private readonly hostId: string,
    private readonly deps: { directory: HostDirectory; ledger: OutLedger; log: Logger },
  ) {}

  get sessionId(): string {
    return this.ctx.sessionId;
  }

  private get hostName(): string {
    return this.deps.directory.describe(this.hostId).name;
  }

  async start(): Promise<void> {
    this.deps.directory.bind(this.hostId, this);
    const link = this.deps.directory.link(this.hostId);
    // An offline host: the session waits for it (its list entry shows the host offline).
    if (!link) return;
    this.link = link;
    await this.attach(link, false).catch((err: unknown) => {
      // The link dropped while starting: the host starts it when it reconnects (linkUp).
      if (!(err instanceof LinkClosed)) throw err;
      if (this.link === link) this.link = undefined;
    });
  }

  linkUp(link: HostLink): void {
    if (this.stopped) return;
    this.link = link;
    this.attach(link, true).then(
      () => {
        if (this.link !== link) return;
        const waiters = this.linkWaiters;
        this.linkWaiters = [];
        for (const w of waiters) w();
      },
      (err: unknown) => {
        if (err instanceof LinkClosed) return;
        const reason = `host ${this.hostName} could not start the session: ${(err as Error).message}`;
        this.ctx.setStatus('failed', { reason }).catch((e: unknown) =>
          this.deps.log.warn('could not record a failed resume', {
            error: (e as Error).message,
          }),
        );
      },
    );
  }

  linkDown(): void {
    this.link = undefined;
  }

  private async attach(link: HostLink, resume: boolean): Promise<void> {
    const { host: _host, ...config } = this.ctx.config;
    const outAcked = await this.deps.ledger.get(this.sessionId);
    // Stopped (or deleted) during that read: its `stop` or `forget` is already on the link, and
    // a `start` after it would run the session again on the host.
    if (this.stopped) return;
    await link.request({
      type: 'start',
      sessionId: this.sessionId,
      kind: this.ctx.kind,
      config,
      resume,
      outAcked,
    });
    if (this.size) link.send({ type: 'resize', sessionId: this.sessionId, ...this.size });
  }

  /** Resolves with the host's link once it is up (and the runner attached), or undefined on stop. */
  private nextLink(): Promise<HostLink | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    return new Promise((resolve) => this.linkWaiters.push(() => resolve(this.link)));
  }

  async input(event: InputEvent): Promise<void> {
    const frame = {
      type: 'input' as const,
      sessionId: this.sessionId,
      event: { seq: event.seq, ts: event.ts, type: 'input' as const, data: event.data },
      ...this.authorName(event.data.deviceId),
    };
    if (this.ctx.kind === 'terminal') {
      const link = this.link;
      if (!link) {
        this.ctx.log.info('keystrokes expired: the host is offline', { seq: event.seq });
        return;
      }
      // At most once: a keystroke is never sent again after a reconnect.
      await link.request(frame).catch((err: unknown) => {
        if (!(err instanceof LinkClosed)) throw err;
      });
      return;
    }
    let passedGate = false;
    for (;;) {
      const link = this.link ?? (await this.nextLink());
      if (!link || this.stopped) return;
      if (!passedGate) {
        const { deviceId, inputId } = event.data;
        if (this.ctx.takeForTurn([{ deviceId, inputId }]).length === 0) return;
        passedGate = true;
      }
      try {
        await link.request(frame);
        return;
      } catch (err) {
        // Sent again on the next link; the host takes each seq once.
        if (!(err instanceof LinkClosed)) throw err;
        if (this.link === link) this.link = undefined;
      }
    }
  }

  private authorName(deviceId: string): { authorName?: string } {
    const name = this.ctx.deviceName?.(deviceId);
    return name === undefined ? {} : { authorName: name.slice(0, 200) };
  }

  private online(): HostLink {
    if (!this.link)
      throw new RunnerError(
        'session_not_running',
        `host ${this.hostName} is offline; this works again once it reconnects`,
      );
    return this.link;
  }

  async interrupt(deviceId?: string): Promise<void> {
    await this.online().request({
      type: 'interrupt',
      sessionId: this.sessionId,
      ...(deviceId !== undefined ? { deviceId } : {}),
    });
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.link?.send({ type: 'resize', sessionId: this.sessionId, cols, rows });
  }

  async answerPermission(
    requestId: string,
    answer: PermissionDecision,
    deviceId: string,
  ): Promise<void> {
    await this.online().request({
      type: 'permission',
      sessionId: this.sessionId,
      requestId,
      answer,
      deviceId,
    });
  }

  async changeSettings(
    change: { model?: string; permissionMode?: string },
    deviceId: string,
  ): Promise<void> {
    await this.online().request({ type: 'settings', sessionId: this.sessionId, change, deviceId });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.directory.unbind(this.hostId, this);
    // The store keeps the number (on the session row); a runner started again reads it there.
    this.deps.ledger.forget(this.sessionId);
    const waiters = this.linkWaiters;
    this.linkWaiters = [];
    for (const w of waiters) w();
    // An offline host stops it when it reconnects: the relay stops every session the host
    // reports running that has no runner here.
    await this.link?.request({ type: 'stop', sessionId: this.sessionId }).catch((err: unknown) => {
      if (!(err instanceof LinkClosed)) throw err;
    });
  }

  /**
   * Commits one `out` of the host, after those before it, and acknowledges it. Resolves with
   * the number to acknowledge.
   */
  commitOut(frame: HostOutFrame): Promise<number> {
    const done = this.outChain.then(async () => {
      const { ledger } = this.deps;
      if (frame.n <= (await ledger.get(this.sessionId))) return frame.n;
      try {
        // The number is stored in the same commit as what it stands for (OutLedger).
        if (frame.body.kind === 'events') {
          await this.ctx.emit(frame.body.events as NewLogEvent[], {
            hostOut: frame.n,
            ...(frame.finishes ? { finishes: frame.finishes } : {}),
          });
        } else {
          const { status, reason, exitCode, signal } = frame.body;
          await this.ctx.setStatus(status, {
            ...(reason !== undefined ? { reason } : {}),
            ...(exitCode !== undefined ? { exitCode } : {}),
            ...(signal !== undefined ? { signal } : {}),
            hostOut: frame.n,
          });
        }
      } catch (err) {
        // The session failed with the reason (an event the runner contract refuses); the
        // host's number is acknowledged so that it does not send it forever.
        this.ctx.log.warn('host output refused', { error: (err as Error).message });
      }
      ledger.committed(this.sessionId, frame.n);
      return frame.n;
    });
    this.outChain = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  stream(
    messageId: string,
    channel: 'text' | 'thinking',
    delta: string,
    sealed?: SealedFragment,
  ): void {
    this.ctx.stream(messageId, channel, delta, sealed);
  }

  /** The host's sealed snapshot of the session at `seq`, verified by the link. */
  hostSnapshot(seq: number, sealed: SealedEnvelopeShape): Promise<void> {
    return this.ctx.hostSnapshot?.(seq, sealed) ?? Promise.resolve();
  }

  /** A host's read of the session's stored state, answered from the relay's store. */
  async read(
    what:
      | { kind: 'events'; afterSeq: number; limit: number }
      | { kind: 'snapshot' }
      | { kind: 'attachment'; id: string },
  ): Promise<unknown> {
    if (what.kind === 'events') return this.ctx.readEvents(what.afterSeq, what.limit);
    if (what.kind === 'snapshot') return this.ctx.latestSnapshot();
    const a = await this.ctx.readAttachment(what.id);
    return a === undefined
      ? undefined
      : { type: a.type, data: Buffer.from(a.data).toString('base64') };
  }
}
