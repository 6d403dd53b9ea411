import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeZodError, type ErrorCode, type Role } from '@baton/protocol';
import type { ZodType } from 'zod';
import { BatonError, httpStatusOf } from '../baton-error.js';
import { readRequestBody } from './request-body.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** A body that is JSON already (parts of it kept encoded, such as a snapshot's state). */
export function sendJsonText(res: ServerResponse, status: number, text: string | Buffer): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/**
 * An error body. A retry hint travels as `retryAfterMs` in the body and as `Retry-After`
 * (whole seconds, rounded up) for HTTP clients that only read headers.
 */
export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  retryAfterMs?: number,
  requiredRole?: Role,
): void {
  const error: Record<string, unknown> = { code, message };
  if (retryAfterMs !== undefined) {
    res.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    error.retryAfterMs = retryAfterMs;
  }
  if (requiredRole !== undefined) error.requiredRole = requiredRole;
  sendJson(res, httpStatusOf(code), { error });
}

/** Reads and validates a JSON body; rejects with a BatonError saying what was wrong. */
export async function readBody<T>(
  req: IncomingMessage,
  schema: ZodType<T>,
  maxBytes: number,
): Promise<T> {
  const tooLarge = () =>
    new BatonError(
      'frame_too_large',
      `request body exceeds the limit of ${maxBytes} bytes; send less per request`,
    );
  const chunks: Buffer[] = [];
  const size = await readRequestBody(req, maxBytes, tooLarge, (part) => chunks.push(part));
  const text = Buffer.concat(chunks, size).toString('utf8');
  let raw: unknown;
  try {
    raw = text.length === 0 ? {} : JSON.parse(text);
  } catch (e) {
    throw new BatonError('bad_json', `request body is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new BatonError(
      'invalid_message',
      `invalid request body: ${describeZodError(parsed.error)}`,
    );
  return parsed.data;
}
