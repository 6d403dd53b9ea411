import {
  JsonLinesProcess,
  asObject,
  asString,
  type LaunchSpec,
  type ProcessExit,
} from '../agent-common/index.js';

/** A JSON-RPC error answer from the agent. */
export class JsonRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(`${method} failed: ${message}`);
    this.name = 'JsonRpcError';
  }
}

type RpcId = string | number;

interface PendingCall {
  method: string;
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * JSON-RPC 2.0 over a child's stdin/stdout, one message per line (Codex `app-server`). Calls
 * in both directions: our requests get answered by id; the agent's requests (approvals) are
 * handed to `onRequest` and answered with `respond`. Pending calls fail when the process ends.
 */
export class JsonRpcPeer {
  private readonly proc: JsonLinesProcess;
  private nextId = 1;
  private readonly pending = new Map<RpcId, PendingCall>();

  constructor(
    spec: LaunchSpec,
    private readonly handlers: {
      onNotification: (method: string, params: unknown) => void;
      onRequest: (id: RpcId, method: string, params: unknown) => void;
      onNoise: (line: string) => void;
      onExit: (exit: ProcessExit) => void;
    },
  ) {
    this.proc = new JsonLinesProcess(spec, {
      onMessage: (m) => this.onMessage(m),
      onNoise: handlers.onNoise,
      onExit: (exit) => {
        const why = new Error(`the agent process ended (${exit.stderr || `code ${exit.code}`})`);
        for (const call of this.pending.values()) {
          if (call.timer) clearTimeout(call.timer);
          call.reject(why);
        }
        this.pending.clear();
        handlers.onExit(exit);
      },
    });
  }

  /** Sends a request; resolves with its result, rejects with its error or after `timeoutMs`. */
  request(method: string, params: unknown, timeoutMs?: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.pending.delete(id);
              reject(new JsonRpcError(method, undefined, `no answer within ${timeoutMs} ms`));
            }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      if (!this.proc.send({ jsonrpc: '2.0', id, method, params })) {
        this.pending.delete(id);
        if (timer) clearTimeout(timer);
        reject(new JsonRpcError(method, undefined, 'the agent process is not running'));
      }
    });
  }

  notify(method: string, params?: unknown): void {
    this.proc.send(
      params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params },
    );
  }

  respond(id: RpcId, result: unknown): void {
    this.proc.send({ jsonrpc: '2.0', id, result });
  }

  respondError(id: RpcId, code: number, message: string): void {
    this.proc.send({ jsonrpc: '2.0', id, error: { code, message } });
  }

  stop(graceMs: number): Promise<ProcessExit> {
    return this.proc.stop(graceMs);
  }

  private onMessage(raw: unknown): void {
    const m = asObject(raw);
    if (!m) return;
    const id = typeof m.id === 'string' || typeof m.id === 'number' ? m.id : undefined;
    const method = asString(m.method);
    if (method !== undefined && id !== undefined) {
      this.handlers.onRequest(id, method, m.params);
    } else if (method !== undefined) {
      this.handlers.onNotification(method, m.params);
    } else if (id !== undefined) {
      const call = this.pending.get(id);
      if (!call) return;
      this.pending.delete(id);
      if (call.timer) clearTimeout(call.timer);
      const error = asObject(m.error);
      if (error) {
        const code = typeof error.code === 'number' ? error.code : undefined;
        call.reject(
          new JsonRpcError(call.method, code, asString(error.message) ?? 'unknown error'),
        );
      } else {
        call.resolve(m.result);
      }
    }
  }
}
