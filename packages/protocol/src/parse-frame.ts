import type { ZodError } from 'zod';
import { ClientMessage } from './client-message.js';
import { InputId, RequestId, SessionId } from './ids.js';
import { ServerMessage } from './server-message.js';
import { HostMessage, RelayMessage } from './host-link.js';
import type { ErrorBody } from './error-code.js';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** Says which field was wrong and how, in one line a person can act on. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(frame)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

function parseWith<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError };
  },
  text: string,
): ParseResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      error: { code: 'bad_json', message: `frame is not valid JSON: ${(e as Error).message}` },
    };
  }
  // The schemas drop a `__proto__` key without a word (a guard against prototype pollution): a
  // document patch of one would commit an empty change. Refused instead; the second parse runs
  // only for the rare frame that has the name in it at all.
  if (text.includes('__proto__') && hasProtoKey(text))
    return {
      ok: false,
      error: { code: 'invalid_message', message: 'no key of a frame may be named __proto__' },
    };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    // Only a string is named: anything else is the sender's (`{"toString":1}` throws in String()).
    const claimed: unknown =
      raw && typeof raw === 'object' && 'type' in raw ? (raw as { type: unknown }).type : undefined;
    const type = typeof claimed === 'string' ? claimed : '';
    const prefix = type ? `invalid '${type.slice(0, 64)}' message` : 'invalid message';
    return {
      ok: false,
      error: { code: 'invalid_message', message: `${prefix}: ${describeZodError(parsed.error)}` },
    };
  }
  return { ok: true, value: parsed.data };
}

function hasProtoKey(text: string): boolean {
  let found = false;
  JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__') found = true;
    return value;
  });
  return found;
}

/** Parses and validates one upstream frame. Never throws. */
export function parseClientFrame(text: string): ParseResult<ClientMessage> {
  return parseWith(ClientMessage, text);
}

/** Parses and validates one downstream frame. Never throws. */
export function parseServerFrame(text: string): ParseResult<ServerMessage> {
  return parseWith(ServerMessage, text);
}

/** Parses and validates one frame a host sent its relay. Never throws. */
export function parseHostFrame(text: string): ParseResult<HostMessage> {
  return parseWith(HostMessage, text);
}

/** Parses and validates one frame a relay sent a host. Never throws. */
export function parseRelayFrame(text: string): ParseResult<RelayMessage> {
  return parseWith(RelayMessage, text);
}

/**
 * The ids an `error` frame answering a frame that failed validation must echo, taken from the
 * raw frame wherever they are themselves valid: its `rid`; for an `input`, its `inputId` (so a
 * client's outbox can settle the input instead of resending it forever); and its `sessionId`.
 * Never throws.
 */
export function correlationOf(text: string): {
  rid?: RequestId;
  inputId?: InputId;
  sessionId?: SessionId;
} {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const r = raw as Record<string, unknown>;
  const out: { rid?: RequestId; inputId?: InputId; sessionId?: SessionId } = {};
  const rid = RequestId.safeParse(r['rid']);
  if (rid.success) out.rid = rid.data;
  const sessionId = SessionId.safeParse(r['sessionId']);
  if (sessionId.success) out.sessionId = sessionId.data;
  if (r['type'] === 'input') {
    const inputId = InputId.safeParse(r['inputId']);
    if (inputId.success) out.inputId = inputId.data;
  }
  return out;
}
