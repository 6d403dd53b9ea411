import type { WebSocket } from 'ws';
import {
  HostLinkClose,
  parseHostFrame,
  type HostMessage,
  type RelayMessage,
} from '@baton/protocol';
import type { Logger } from '../logger.js';
import { RunnerError } from '../runners/runner.js';
import { rawText } from '../ws/raw-text.js';

/** A relay request the host never answered because its link closed first. */
export class LinkClosed extends Error {
  constructor(hostName: string) {
    super(`host ${hostName} went offline`);
    this.name = 'LinkClosed';
  }
}

/** Relay requests carry a `ref`; `request` adds it. */
type Request = RelayMessage extends infer M
  ? M extends { ref: number }
    ? Omit<M, 'ref'>
    : never
  : never;

export interface HostLinkHandlers {
  /** A frame of the host's, after `host.hello` (which the acceptor handled). */
  onFrame(link: HostLink, frame: Exclude<HostMessage, { type: 'host.hello' | 'host.reply' }>): void;
  onClose(link: HostLink): void;
}

/**
 * The relay's end of one host's link: sends requests and matches the host's replies, validates
 * every frame, and closes the link alone on a bad one (other hosts and every session of other
 * hosts go on). A heartbeat ends a link whose host vanished without closing (a cut network).
 */
export class HostLink {
  private nextRef = 1;
  private readonly pending = new Map<
    number,
    { resolve: () => void; reject: (err: Error) => void }
  >();
  private closed = false;
  private alive = true;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    readonly hostId: string,
    readonly name: string,
    private readonly handlers: HostLinkHandlers,
    private readonly log: Logger,
    heartbeatMs: number,
    /** The host's hello carried `kept`: it knows `forget` (docs/relay.md, "Deleting a session"). */
    readonly knowsForget = false,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.refuse('frames are JSON text, not binary');
      this.onText(rawText(data));
    });
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => this.onClosed());
    ws.on('error', (err) => log.warn('host link error', { host: name, error: err.message }));
    this.heartbeat = setInterval(() => {
      if (!this.alive) {
        log.warn('host link silent; closing it', { host: name });
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(frame: RelayMessage): void {
    if (this.closed) return;
    this.ws.send(JSON.stringify(frame));
  }

  /**
   * Sends a request and resolves on the host's reply. Rejects with the host's error as a
   * RunnerError, or with LinkClosed when the link closes first.
   */
  request(frame: Request): Promise<void> {
    if (this.closed) return Promise.reject(new LinkClosed(this.name));
    const ref = this.nextRef++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(ref, { resolve, reject });
      this.send({ ...frame, ref } as RelayMessage);
    });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason.slice(0, 120));
    this.onClosed();
  }

  private onText(text: string): void {
    const parsed = parseHostFrame(text);
    if (!parsed.ok) return this.refuse(parsed.error.message);
    const frame = parsed.value;
    if (frame.type === 'host.hello') return this.refuse('host.hello was already accepted');
    if (frame.type === 'host.reply') {
      const p = this.pending.get(frame.ref);
      if (!p) return this.refuse(`a reply to request ${frame.ref}, which is not outstanding`);
      this.pending.delete(frame.ref);
      if (frame.error) p.reject(new RunnerError(runnerCode(frame.error.code), frame.error.message));
      else p.resolve();
      return;
    }
    try {
      this.handlers.onFrame(this, frame);
    } catch (err) {
      this.log.error('a host frame failed', { host: this.name, error: (err as Error).message });
    }
  }

  /** A bad frame ends this host's link (and only it): the host reconnects and resends. */
  refuseFrame(message: string): void {
    this.refuse(message);
  }

  private refuse(message: string): void {
    this.log.warn('closing a host link: bad frame', { host: this.name, error: message });
    this.send({ type: 'error', error: { code: 'invalid_message', message } });
    this.close(HostLinkClose.BadFrame, 'bad frame');
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    const err = new LinkClosed(this.name);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.handlers.onClose(this);
  }
}

const RUNNER_CODES = [
  'agent_unavailable',
  'already_resolved',
  'not_found',
  'session_not_running',
  'bad_request',
  'internal',
] as const;

function runnerCode(code: string): RunnerError['code'] {
  return (RUNNER_CODES as readonly string[]).includes(code)
    ? (code as RunnerError['code'])
    : 'internal';
}
