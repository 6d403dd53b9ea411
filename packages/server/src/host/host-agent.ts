import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocket, type RawData } from 'ws';
import {
  HOST_LINK_PATH,
  HOST_LINK_VERSION,
  HostLinkClose,
  SNAPSHOT_HOST_LINK_VERSION,
  STREAM_CATCH_UP_HOST_LINK_VERSION,
  parseRelayFrame,
  type HostMessage,
  type RelayMessage,
  type SealedEnvelopeShape,
  type SessionKind,
} from '@baton/protocol';

type HostStreamSealed = NonNullable<Extract<HostMessage, { type: 'stream' }>['sealed']>;
import type { Logger } from '../logger.js';
import type { ChildRegistry } from '../runners/child-processes/child-registry.js';
import { RunnerError, type InputEvent, type RunnerFactory } from '../runners/runner.js';
import type { HostIdentity } from './host-identity.js';
import type { HostSessionLink, HostSnapshotOptions } from './host-session.js';
import { HostSession } from './host-session.js';
import type { HostSealing, Publication } from './host-sealing.js';
import { pairingOf, type HostState } from './host-state.js';
import { rawText } from '../ws/raw-text.js';
import { keptSessions } from './kept-sessions.js';

/** Reconnect delays: full jitter between 0 and min(MAX, BASE · 2^attempt). */
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/**
 * A link on which nothing arrived (no frame, no ping) for this long is dead: the relay pings
 * every 15 s by default, so this is four missed pings. Without it a host behind a cut network
 * would wait for TCP to notice, which can take hours.
 */
const SILENCE_MS = 60_000;

/** The link's life: connecting → open (welcomed) → waiting (backoff) → connecting …, or stopped. */
type LinkState =
  | { state: 'connecting'; ws: WebSocket }
  | { state: 'open'; ws: WebSocket; hostId: string; name: string; version: number }
  | { state: 'waiting'; timer: NodeJS.Timeout }
  | { state: 'stopped' };

export interface HostAgentOptions {
  /** ws(s)://relay/v1/host */
  url: string;
  token: string;
  /** Presented in every hello; signs every `out`. */
  identity: HostIdentity;
  dataDir: string;
  factories: ReadonlyMap<SessionKind, RunnerFactory>;
  children: ChildRegistry;
  state: HostState;
  /** Seals every session (absent for `baton host --plaintext`). */
  sealing?: HostSealing;
  /** How sealed sessions' snapshots are made (with `sealing`). */
  snapshots?: HostSnapshotOptions;
  log: Logger;
  /** Called when the relay refuses this host for good (bad token, other version). */
  onRefused(reason: string): void;
  /** Called each time the relay welcomed the host. */
  onOnline?(hostId: string, name: string): void;
}

/**
 * A host's one outbound link to its relay: connects, says `host.hello`, runs what the relay
 * asks, and reconnects with backoff when the link drops (the runners keep running meanwhile;
 * what they emit waits, numbered, and is sent again after the next welcome).
 */
export class HostAgent implements HostSessionLink {
  private link: LinkState = { state: 'stopped' };
  private attempt = 0;
  private readonly sessions = new Map<string, HostSession>();
  private nextReadRef = 1;
  private readonly reads = new Map<
    number,
    { frame: HostMessage; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();

  /** This credential's pairing: the sessions the relay starts are recorded under it (`kept`). */
  private readonly pairing: string;

  constructor(private readonly opts: HostAgentOptions) {
    this.pairing = pairingOf(opts.token);
  }

  start(): void {
    this.connect();
  }

  /** Stops the link and every runner on this host. */
  async close(): Promise<void> {
    const link = this.link;
    this.link = { state: 'stopped' };
    if (link.state === 'waiting') clearTimeout(link.timer);
    if (link.state === 'connecting' || link.state === 'open') link.ws.close(1001, 'host stopping');
    for (const s of this.sessions.values()) s.abandon();
    for (const r of this.reads.values()) r.reject(new RunnerError('internal', 'the host stopped'));
    this.reads.clear();
    await Promise.all(
      [...this.sessions.values()].map((s) =>
        s
          .stop()
          .catch((err: unknown) =>
            this.opts.log.warn('a runner did not stop', { error: (err as Error).message }),
          ),
      ),
    );
  }

  // ---- HostSessionLink ----------------------------------------------------------------------

  sendOut(
    sessionId: string,
    n: number,
    body: Extract<HostMessage, { type: 'out' }>['body'],
    finishes?: readonly string[],
  ): void {
    if (this.link.state !== 'open') return;
    // Signed at each send (Ed25519 is deterministic: a resent `out` carries the same signature).
    const sig = this.opts.identity.signOut(sessionId, n, body);
    // `finishes` only to a relay that knows it (an older one keeps no sealed fragments).
    const named =
      finishes && this.link.version >= STREAM_CATCH_UP_HOST_LINK_VERSION
        ? { finishes: [...finishes] }
        : {};
    this.send({ type: 'out', sessionId, n, body, sig, ...named });
  }

  sendStream(
    sessionId: string,
    messageId: string,
    channel: 'text' | 'thinking',
    delta: string,
    sealed?: HostStreamSealed,
  ) {
    this.send({
      type: 'stream',
      sessionId,
      messageId,
      channel,
      delta,
      ...(sealed ? { sealed } : {}),
    });
  }

  sendSnapshot(sessionId: string, seq: number, sealed: SealedEnvelopeShape): boolean {
    if (this.link.state !== 'open' || this.link.version < SNAPSHOT_HOST_LINK_VERSION) return false;
    this.send({ type: 'snapshot', sessionId, seq, sealed });
    return true;
  }

  /** Makes and sends a sealed session's snapshot now (see HostSession.snapshotNow). */
  snapshotNow(sessionId: string): Promise<void> {
    return this.sessions.get(sessionId)?.snapshotNow() ?? Promise.resolve();
  }

  read(sessionId: string, what: Extract<HostMessage, { type: 'read' }>['what']): Promise<unknown> {
    const ref = this.nextReadRef++;
    const frame: HostMessage = { type: 'read', ref, sessionId, what };
    return new Promise((resolve, reject) => {
      this.reads.set(ref, { frame, resolve, reject });
      this.send(frame);
    });
  }

  // ---- the link ----------------------------------------------------------------------------

  private send(frame: HostMessage): void {
    if (this.link.state === 'open') this.link.ws.send(JSON.stringify(frame));
  }

  private connect(): void {
    const ws = new WebSocket(this.opts.url, { maxPayload: 64 * 1024 * 1024 });
    this.link = { state: 'connecting', ws };
    let silence: NodeJS.Timeout | undefined;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(() => {
        this.opts.log.warn('the relay link went silent; reconnecting');
        ws.terminate();
      }, SILENCE_MS);
      silence.unref();
    };
    heard();
    ws.on('ping', heard);
    ws.on('message', heard);
    ws.on('close', () => clearTimeout(silence));
    ws.on('open', () => {
      const running = [...this.sessions.values()].filter((s) => s.running).map((s) => s.id);
      const hello: HostMessage = {
        type: 'host.hello',
        version: HOST_LINK_VERSION,
        token: this.opts.token,
        running,
        keys: this.opts.identity.keys,
        proof: this.opts.identity.proveKeys(this.opts.token),
        ...(this.opts.sealing ? { sealed: true } : {}),
        kept: keptSessions([...this.sessions.keys(), ...this.opts.state.sessionsOf(this.pairing)]),
      };
      ws.send(JSON.stringify(hello));
    });
    ws.on('message', (data: RawData, isBinary) => {
      if (isBinary) return;
      this.onText(ws, rawText(data));
    });
    ws.on('error', (err) => this.opts.log.warn('relay link error', { error: err.message }));
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString('utf8')));
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    const link = this.link;
    if ((link.state !== 'connecting' && link.state !== 'open') || link.ws !== ws) return;
    if (
      code === HostLinkClose.Unauthorized ||
      code === HostLinkClose.UnsupportedVersion ||
      code === HostLinkClose.KeysMismatch
    ) {
      this.link = { state: 'stopped' };
      this.opts.onRefused(reason || `the relay closed the link (${code})`);
      return;
    }
    if (link.state === 'open') this.opts.log.warn('relay link lost; reconnecting', { code });
    const delay = Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16);
    const timer = setTimeout(() => {
      if (this.link.state === 'waiting') this.connect();
    }, delay);
    this.link = { state: 'waiting', timer };
  }

  private onText(ws: WebSocket, text: string): void {
    // A frame still arriving on a link the host stopped (or replaced) is not acted on: a `start`
    // taken after close() would run a runner nothing stops.
    const link = this.link;
    if ((link.state !== 'connecting' && link.state !== 'open') || link.ws !== ws) return;
    const parsed = parseRelayFrame(text);
    if (!parsed.ok) {
      // A relay that speaks nonsense: drop the link and try again (backoff), never crash.
      this.opts.log.warn('bad frame from the relay; reconnecting', { error: parsed.error.message });
      ws.close(HostLinkClose.BadFrame, 'bad frame');
      return;
    }
    this.handle(ws, parsed.value);
  }

  private handle(ws: WebSocket, frame: RelayMessage): void {
    switch (frame.type) {
      case 'host.welcome': {
        this.link = {
          state: 'open',
          ws,
          hostId: frame.hostId,
          name: frame.name,
          version: frame.version,
        };
        this.attempt = 0;
        this.opts.log.info('connected to the relay', { host: frame.name });
        const sealing = this.opts.sealing;
        if (sealing) {
          // The roster first: the relay verifies what the host and its devices seal against it.
          // Sends queue on the socket in call order, so every frame below follows it.
          void sealing
            .bind(frame.hostId)
            .then(() => sealing.roster())
            .then((roster) => this.send({ type: 'roster', roster }))
            .catch((err: unknown) =>
              this.opts.log.error('could not publish the device roster', {
                error: (err as Error).message,
              }),
            );
        }
        for (const s of this.sessions.values()) s.resend();
        for (const r of this.reads.values()) this.send(r.frame);
        this.opts.onOnline?.(frame.hostId, frame.name);
        return;
      }
      case 'error':
        this.opts.log.warn('the relay refused', { error: frame.error.message });
        return;
      case 'out.ack':
        this.sessions.get(frame.sessionId)?.acked(frame.n);
        return;
      case 'read.result': {
        const r = this.reads.get(frame.ref);
        if (!r) return;
        this.reads.delete(frame.ref);
        if (frame.error) r.reject(new RunnerError('internal', frame.error.message));
        else r.resolve(frame.result);
        return;
      }
      case 'resize':
        this.sessions.get(frame.sessionId)?.resize(frame.cols, frame.rows);
        return;
      case 'intro':
        this.reply(ws, frame.ref, async () => {
          const sealing = this.sealingOrRefuse();
          this.publish(await sealing.introduce(frame.code, frame.deviceId, frame.introduction));
          this.opts.log.info('a device paired with this host', { device: frame.deviceId });
        });
        return;
      case 'device.revoked':
        this.reply(ws, frame.ref, async () => {
          const published = await this.opts.sealing?.revoke(frame.deviceId, (sessionId) =>
            this.opts.state.takenSeq(sessionId),
          );
          if (published) {
            this.publish(published);
            this.opts.log.info('a device was revoked; session keys rotated', {
              device: frame.deviceId,
            });
          }
        });
        return;
      default:
        this.reply(ws, frame.ref, () => this.request(frame));
    }
  }

  private sealingOrRefuse(): HostSealing {
    if (!this.opts.sealing)
      throw new RunnerError(
        'bad_request',
        'this host runs with --plaintext: it pairs no devices by link and seals nothing',
      );
    return this.opts.sealing;
  }

  /** A new roster, then the wraps it makes valid (the relay checks wraps' recipients by it). */
  private publish(published: Publication): void {
    this.send({ type: 'roster', roster: published.roster });
    for (const [sessionId, wrapped] of published.wrapped)
      for (let i = 0; i < wrapped.length; i += 1000)
        this.send({ type: 'keys', sessionId, wrapped: wrapped.slice(i, i + 1000) });
  }

  private request(
    frame: Exclude<
      RelayMessage,
      {
        type:
          | 'host.welcome'
          | 'error'
          | 'out.ack'
          | 'read.result'
          | 'resize'
          | 'intro'
          | 'device.revoked';
      }
    >,
  ): Promise<void> {
    const session = (): HostSession => {
      const s = this.sessions.get(frame.sessionId);
      if (!s)
        throw new RunnerError(
          'session_not_running',
          `session ${frame.sessionId} is not on this host`,
        );
      return s;
    };
    switch (frame.type) {
      case 'start': {
        // Its HostSession left the map with the forget, so a new one would run it again.
        if (this.opts.state.isForgotten(frame.sessionId))
          throw new RunnerError('not_found', `session ${frame.sessionId} was deleted`);
        let s = this.sessions.get(frame.sessionId);
        // Before the runner makes anything of it (its folder, its key): what `kept` names.
        this.opts.state.started(frame.sessionId, this.pairing);
        if (!s) {
          s = new HostSession(frame.sessionId, {
            factories: this.opts.factories,
            children: this.opts.children,
            state: this.opts.state,
            link: this,
            dataDir: this.opts.dataDir,
            log: this.opts.log,
            ...(this.opts.sealing ? { sealing: this.opts.sealing } : {}),
            ...(this.opts.snapshots ? { snapshots: this.opts.snapshots } : {}),
          });
          this.sessions.set(frame.sessionId, s);
        }
        const sealing = this.opts.sealing;
        if (!sealing) return s.start(frame.kind, frame.config, frame.outAcked);
        const started = s;
        const sessionId = frame.sessionId;
        return (async () => {
          // The key and its wraps before the runner starts, so before its first sealed output.
          const wrapped = await sealing.ensureSession(sessionId);
          if (this.opts.state.isForgotten(sessionId)) {
            // Deleted while its key was made: the key goes too, and the start is refused.
            sealing.forgetSession(sessionId);
            throw new RunnerError('not_found', `session ${sessionId} was deleted`);
          }
          if (wrapped.length > 0) this.send({ type: 'keys', sessionId, wrapped });
          await started.start(frame.kind, frame.config, frame.outAcked);
        })();
      }
      case 'input':
        return session().input(frame.event as unknown as InputEvent, frame.authorName);
      case 'interrupt':
        return session().interrupt(frame.deviceId);
      case 'permission':
        return session().answerPermission(frame.requestId, frame.answer, frame.deviceId);
      case 'settings': {
        const { model, permissionMode } = frame.change;
        return session().changeSettings(
          {
            ...(model !== undefined ? { model } : {}),
            ...(permissionMode !== undefined ? { permissionMode } : {}),
          },
          frame.deviceId,
        );
      }
      case 'stop':
        return this.sessions.get(frame.sessionId)?.stop() ?? Promise.resolve();
      case 'forget':
        return this.forget(frame.sessionId);
    }
  }

  /**
   * The relay deleted the session: its runner stops and nothing of it stays on this host. What
   * the host records goes first, so that nothing the runner finishes meanwhile records it again;
   * the folder goes last, once the runner stopped (or did not within 10 s), so that it does not
   * make it again.
   */
  private async forget(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    // Only what this relay started here: a session of an earlier pairing (another relay's) is
    // not its to delete, whatever id it names.
    if (!session && !this.opts.state.startedUnder(sessionId, this.pairing)) return;
    this.sessions.delete(sessionId);
    this.opts.state.forget(sessionId);
    this.opts.sealing?.forgetSession(sessionId);
    try {
      await session?.forget();
    } catch (err) {
      this.opts.log.warn('a deleted session’s runner did not stop', {
        session: sessionId,
        error: (err as Error).message,
      });
    }
    // The id is a checked session id (`s_` and base32), so this is a folder under `sessions/`.
    await rm(join(this.opts.dataDir, 'sessions', sessionId), { recursive: true, force: true });
    this.opts.log.info('removed a deleted session', { session: sessionId });
  }

  /** Runs a relay request and answers it on the link it came on (if that link is still up). */
  private reply(ws: WebSocket, ref: number, task: () => Promise<void>): void {
    const answer = (error?: { code: RunnerError['code']; message: string }) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const frame: HostMessage = { type: 'host.reply', ref, ...(error ? { error } : {}) };
      ws.send(JSON.stringify(frame));
    };
    let running: Promise<void>;
    try {
      running = task();
    } catch (err) {
      running = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    running.then(
      () => answer(),
      (err: unknown) =>
        answer({
          code: err instanceof RunnerError ? err.code : 'internal',
          message: (err as Error).message.slice(0, 4000),
        }),
    );
  }
}

/** The host link URL of a relay given as http(s)://, ws(s):// or a bare host:port. */
export function hostLinkUrl(relay: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(relay) ? relay : `http://${relay}`;
  const url = new URL(withScheme);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new Error(`the relay URL must be http(s):// or ws(s)://, not ${url.protocol}`);
  url.pathname = HOST_LINK_PATH;
  url.search = '';
  url.hash = '';
  return url.toString();
}
