import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.js';
import { sendError, sendJson } from './json-response.js';
import { endWithJsonError } from './raw-error-response.js';
import {
  hostHeaderProblem,
  parseRequestTarget,
  RequestTargetError,
  type RequestTarget,
} from './request-target.js';
import { serveStatic } from './static-files.js';

export type ApiHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) => Promise<void>;

export interface RouterOptions {
  api: ApiHandler;
  webRoot: string | undefined;
  log: Logger;
  /** `GET /metrics` (observability/metrics-route.ts), when the server exposes metrics. */
  metrics?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/**
 * The HTTP request handler. It never throws and never leaves a promise unhandled: a malformed
 * request gets a 4xx with a JSON error, and a failure inside a route is logged with the request
 * and answered 500, so one request can never take the process (and every session) down.
 */
export function createRequestRouter(
  opts: RouterOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const hostProblem = hostHeaderProblem(req.headers.host, req.httpVersion);
    if (hostProblem) {
      sendBadRequest(res, 400, hostProblem);
      return;
    }
    let target: RequestTarget;
    try {
      target = parseRequestTarget(req.url);
    } catch (err) {
      if (!(err instanceof RequestTargetError)) throw err;
      sendBadRequest(res, err.status, err.message);
      return;
    }
    const { path } = target;
    if (path === '/metrics' && opts.metrics) {
      opts.metrics(req, res).catch((err: unknown) => failed(req, res, err));
      return;
    }
    if (path.startsWith('/api/') || path === '/api') {
      opts.api(req, res, target).catch((err: unknown) => failed(req, res, err));
      return;
    }
    if (
      opts.webRoot &&
      (req.method === 'GET' || req.method === 'HEAD') &&
      serveStatic(opts.webRoot, req, res, path)
    ) {
      return;
    }
    sendError(
      res,
      'not_found',
      opts.webRoot
        ? `nothing at ${target.rawPath}`
        : `nothing at ${target.rawPath}; the API is under /api`,
    );
  };

  const failed = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    opts.log.error('an HTTP request failed', {
      method: req.method,
      url: (req.url ?? '').slice(0, 200),
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, 'internal', 'the server failed on this request; it was logged');
  };

  return (req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      failed(req, res, err);
    }
  };
}

/**
 * Answers requests the HTTP parser refused (bad method, bad header syntax, headers too large,
 * header timeout) with a JSON error instead of Node's bare text, and never throws.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const [status, text] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : [400, 'Bad Request'];
  endWithJsonError(socket, status, text, {
    code: 'bad_request',
    message: `malformed HTTP request (${err.code ?? 'parse error'}): ${text.toLowerCase()}`,
  });
}

/** CONNECT asks for a tunnel, which only a proxy gives; Node would drop the socket unanswered. */
export function answerConnect(_req: IncomingMessage, socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  endWithJsonError(socket, 405, 'Method Not Allowed', {
    code: 'bad_request',
    message: 'CONNECT is for proxies, and baton is not one',
  });
}

function sendBadRequest(res: ServerResponse, status: number, message: string): void {
  res.setHeader('connection', 'close');
  sendJson(res, status, { error: { code: 'bad_request', message } });
}
