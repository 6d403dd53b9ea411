import { z } from 'zod';
import { queryInt } from './query-int.js';

/** The agent kinds whose conversations baton can adopt. */
export const AdoptableKind = z.enum(['claude', 'codex']);
export type AdoptableKind = z.infer<typeof AdoptableKind>;

/**
 * A conversation of an agent CLI on the server's host that baton can adopt, as
 * `GET /api/agent-conversations` lists it (HTTP only; outside the WebSocket fingerprint).
 * Create a session with `config.resume: id` (and this `cwd`) to continue it from every device.
 */
export const AgentConversation = z.object({
  kind: AdoptableKind,
  /** The agent's own id: a Claude Code session id, a Codex thread id. */
  id: z.string(),
  /** The working directory it ran in; the adopted session runs there too. */
  cwd: z.string().optional(),
  /** The conversation's title or first user message, at most 200 characters. */
  title: z.string().max(200),
  /** Epoch milliseconds of its last message (or its file's modification time). */
  lastActivityAt: z.number(),
  /** User and assistant messages found (a lower bound when the file was too large to read whole). */
  messageCount: z.number().int().nonnegative(),
});
export type AgentConversation = z.infer<typeof AgentConversation>;

/** `GET /api/agent-conversations?kind=claude|codex`: the query. */
export const AgentConversationsQuery = z.object({
  kind: AdoptableKind.default('claude'),
  /** At most this many, newest first. */
  limit: queryInt({ min: 1, max: 1000 }).default(200),
});
