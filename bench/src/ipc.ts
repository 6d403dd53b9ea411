import type { ChildProcess } from 'node:child_process';

/**
 * Request/response over the IPC channel of a forked process. Both the servers under test and the
 * load generators are children of the coordinator; each answers named commands.
 */

interface RequestEnvelope {
  kind: 'request';
  id: number;
  cmd: string;
  body: unknown;
}
interface ReplyEnvelope {
  kind: 'reply';
  id: number;
  ok: boolean;
  body?: unknown;
  error?: string;
}
interface ReadyEnvelope {
  kind: 'ready';
  body: unknown;
}
type Envelope = RequestEnvelope | ReplyEnvelope | ReadyEnvelope;

/** The handlers a child serves, by command name. */
export type Handlers = Record<string, (body: unknown) => unknown>;

/** The coordinator's handle on one child. */
export class IpcChild {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private readonly readyPromise: Promise<unknown>;

  constructor(readonly child: ChildProcess) {
    let onReady: (v: unknown) => void = () => {};
    let onFail: (e: Error) => void = () => {};
    this.readyPromise = new Promise((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    });
    child.on('message', (raw) => {
      const msg = raw as Envelope;
      if (msg.kind === 'ready') onReady(msg.body);
      if (msg.kind !== 'reply') return;
      const waiter = this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (msg.ok) waiter.resolve(msg.body);
      else waiter.reject(new Error(msg.error ?? 'child failed'));
    });
    child.on('exit', (code, signal) => {
      const error = new Error(`child ${child.pid} exited (code ${code}, signal ${signal})`);
      onFail(error);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  /** What the child sent with `signalReady`. Rejects if the child exits first. */
  ready<T>(): Promise<T> {
    return this.readyPromise as Promise<T>;
  }

  request<T>(cmd: string, body: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const envelope: RequestEnvelope = { kind: 'request', id, cmd, body };
      this.child.send(envelope);
    });
  }
}

/** In a child: answer the coordinator's commands. */
export function serveIpc(handlers: Handlers): void {
  process.on('message', (raw) => {
    const msg = raw as Envelope;
    if (msg.kind !== 'request') return;
    const reply = (r: Omit<ReplyEnvelope, 'kind' | 'id'>) =>
      process.send?.({ kind: 'reply', id: msg.id, ...r } satisfies ReplyEnvelope);
    const handler = handlers[msg.cmd];
    if (!handler) {
      reply({ ok: false, error: `unknown command '${msg.cmd}'` });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.body))
      .then(
        (body) => reply({ ok: true, body }),
        (e: unknown) =>
          reply({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
      );
  });
  // The coordinator going away must not leave servers or load generators behind.
  process.on('disconnect', () => process.exit(0));
}

/** In a child: tell the coordinator it is ready, with whatever it needs to know. */
export function signalReady(body: unknown): void {
  process.send?.({ kind: 'ready', body } satisfies ReadyEnvelope);
}
