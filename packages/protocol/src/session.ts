import { z } from 'zod';
import { SessionUsage } from './agent-usage.js';
import { Epoch, SessionId, Seq } from './ids.js';
import { ConnectionMode } from './connection-mode.js';
import { Role } from './role.js';
import { SessionControl } from './session-control.js';
import { SessionSealing } from './sealed.js';

export const SessionKind = z.enum(['terminal', 'claude', 'codex']);
export type SessionKind = z.infer<typeof SessionKind>;

/**
 * Lifecycle of a session.
 * - `starting`: the runner is being started.
 * - `running`: the runner is busy (a shell is alive; an agent is working on a turn).
 * - `idle`: an agent conversation is waiting for input (its process may be stopped to save
 *   resources; the next input resumes it).
 * - `stopping`: a stop was requested and the runner is shutting down.
 * - `exited`: the runner ended normally (a shell exited, or the session was stopped).
 * - `failed`: the runner could not start or crashed; `reason` says why.
 */
export const SessionStatus = z.enum([
  'starting',
  'running',
  'idle',
  'stopping',
  'exited',
  'failed',
]);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** A host named in a session's config: its id or its name. */
const HostRef = z.string().trim().min(1).max(200);

/**
 * The machine a session runs on, in a relay's session list (docs/relay.md): its id (the
 * device id it paired with), its name, and whether it is connected to the relay now.
 */
export const SessionHost = z.object({
  id: z.string(),
  name: z.string(),
  online: z.boolean(),
  /**
   * The fingerprint of the host's public signing key, as `baton host` prints it at start (eight
   * groups of four hex digits); absent while the host never registered keys with this relay.
   */
  keyFingerprint: z.string().optional(),
});
export type SessionHost = z.infer<typeof SessionHost>;

const Env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(32_768));

export const TerminalConfig = z.object({
  /** Program to run; defaults to $SHELL or /bin/bash. */
  shell: z.string().min(1).max(4096).optional(),
  args: z.array(z.string().max(4096)).max(64).optional(),
  cwd: z.string().min(1).max(4096).optional(),
  env: Env.optional(),
  cols: z.number().int().min(2).max(1000).optional(),
  rows: z.number().int().min(1).max(500).optional(),
  /**
   * On a relay (added in 2, additive): the host whose machine runs the session, by its id or its
   * name; the relay stores the id. A server that is not a relay refuses it.
   */
  host: HostRef.optional(),
});
export type TerminalConfig = z.infer<typeof TerminalConfig>;

export const AgentConfig = z.object({
  cwd: z.string().min(1).max(4096).optional(),
  model: z.string().min(1).max(200).optional(),
  /** Claude: default | acceptEdits | bypassPermissions | plan. Codex: approval policy. */
  permissionMode: z.string().min(1).max(100).optional(),
  /** Extra arguments appended to the agent's command line. */
  args: z.array(z.string().max(4096)).max(64).optional(),
  env: Env.optional(),
  /** Context for the agent that is never shown as the user's message. */
  systemPrompt: z.string().max(200_000).optional(),
  /** Path to the agent binary; defaults to `claude` / `codex` on PATH. */
  binary: z.string().min(1).max(4096).optional(),
  /**
   * Adopt a conversation baton did not start (added in 2, additive): the agent's own id (a
   * Claude Code session id, a Codex thread id; see `GET /api/agent-conversations`). Its history
   * is imported into the log, marked `imported`, and the session continues that conversation.
   * Only the owner may adopt. An id the host does not have is refused before anything is created.
   */
  resume: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a conversation id is letters, digits, ., _ and -')
    .optional(),
  /**
   * On a relay (added in 2, additive): the host whose machine runs the session, by its id or its
   * name; the relay stores the id. A server that is not a relay refuses it.
   */
  host: HostRef.optional(),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

/**
 * A session's config. Both variants are strict: an unknown key is an error rather than silently
 * dropped (a terminal-only schema would otherwise swallow an agent's `model` or `systemPrompt`).
 */
export const SessionConfig = z.union([TerminalConfig.strict(), AgentConfig.strict()]);
export type SessionConfig = z.infer<typeof SessionConfig>;

/** A connection attached to a session, as shown in presence and in the sessions list. */
export const Attachment = z.object({
  connectionId: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  mode: ConnectionMode,
  /**
   * The name the window or process gave itself in its `hello` (`label`), when it gave one: what
   * tells two windows of one device and mode apart (added in 2, additive: older servers omit it).
   */
  label: z.string().max(200).optional(),
  readOnly: z.boolean(),
  /**
   * The device's role on this session (added in 2: absent from servers before roles, read as
   * `owner`). A viewer is always read-only.
   */
  role: Role.optional(),
  /** Epoch milliseconds when this connection attached. */
  since: z.number(),
  /**
   * Terminal sessions: this window's size is the one the PTY has now (added in 2). At most one
   * attachment has it; none before any window reported a size.
   */
  sizeInUse: z.literal(true).optional(),
  /** With `sizeInUse`: the window chose Fit to me (its size wins whoever types; added in 2). */
  fitToMe: z.literal(true).optional(),
});
export type Attachment = z.infer<typeof Attachment>;

/** The longest `SessionInfo.preview`. */
export const PREVIEW_MAX_CHARS = 120;

/** What a session waiting for a person waits for (see `SessionInfo.attention`). */
export const AttentionKind = z.enum(['permission', 'question', 'plan']);
export type AttentionKind = z.infer<typeof AttentionKind>;

export const SessionAttention = z.object({ kind: AttentionKind, since: z.number() });
export type SessionAttention = z.infer<typeof SessionAttention>;

export const SessionInfo = z.object({
  id: SessionId,
  name: z.string(),
  kind: SessionKind,
  status: SessionStatus,
  /** Why the session failed or exited, when known. */
  reason: z.string().optional(),
  exitCode: z.number().int().optional(),
  /** Epoch milliseconds. */
  createdAt: z.number(),
  lastActivityAt: z.number(),
  /** The highest sequence number in the session's log. */
  headSeq: Seq,
  /**
   * Which start of the session's runner this is: a number that increases every time the runner
   * starts (a restart included); 0 while no runner started since the server did. Terminal inputs
   * carry it (`InputPayload.run`). Servers that predate it send none: read as 0.
   */
  run: z.number().int().nonnegative().default(0),
  /** The epoch `headSeq` belongs to; it changes when the log is restored from a backup. */
  epoch: Epoch,
  config: z.record(z.string(), z.unknown()),
  /**
   * Connections attached right now (volatile; not stored), at most the first 50; subscribe to the
   * session for the full list via presence frames.
   */
  attached: z.array(Attachment),
  /** How many connections are attached in all. */
  attachedCount: z.number().int().nonnegative(),
  /**
   * Present while the session's writes fail because the server's storage cannot write (full
   * disk, I/O error): the reason. Inputs are refused with `unavailable` meanwhile and runner
   * output is held and retried. Absent again once writes succeed (pushed via `sessions.changed`).
   */
  degraded: z.string().optional(),
  /**
   * Who may steer the session (added in 2, additive): absent or `open` when every device whose
   * role allows it may; `controlled` after a takeover. Changed by `control.changed` events.
   */
  control: SessionControl.optional(),
  /**
   * Present while an agent session waits for a person (added in 2, additive): `permission` for a
   * tool-use prompt, `question` for an AskUserQuestion, `plan` for a plan approval
   * (ExitPlanMode); `since` is when it started waiting (epoch milliseconds, the oldest
   * outstanding request's). Absent again once every request is answered or the turn ends.
   */
  attention: SessionAttention.optional(),
  /**
   * The session's last line of output or chat text, plain text, at most 120 characters (added in
   * 2, additive): for a list's preview. Absent until the session said something.
   */
  preview: z.string().max(PREVIEW_MAX_CHARS).optional(),
  /**
   * An agent session's tokens and cost so far, summed over its ended turns (added in 2,
   * additive). Absent until a turn reported usage.
   */
  usage: SessionUsage.optional(),
  /**
   * On a relay (added in 2, additive): the host the session runs on and whether it is online.
   * Absent on a server that runs its sessions itself. Lists group sessions by it.
   */
  host: SessionHost.optional(),
  /**
   * Present exactly for sealed sessions (added in 2, additive; docs/protocol.md, "Sealed
   * sessions"): the host holding the session's keys and the newest key epoch it published.
   */
  sealed: SessionSealing.optional(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

/**
 * A session name: 1–200 characters after trimming, without the characters `nameProblem` refuses.
 * The server answers a refused name with `bad_request` (the check is not part of the schema so
 * the wire fingerprint of version 1 stays the same).
 */
export const SessionName = z.string().trim().min(1).max(200);

/**
 * Characters that never belong in a name shown on a terminal or in a list: control characters
 * (C0 including NUL, newline and ESC, which starts every terminal escape sequence; DEL; C1),
 * Unicode line and paragraph separators, and bidirectional overrides and isolates, which
 * reorder how the rest of a line is displayed.
 */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu');

/** Why `name` is not acceptable as a session or device name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  const bad = UNPRINTABLE.exec(name);
  if (!bad) return undefined;
  const code = bad[0].codePointAt(0)!.toString(16).padStart(4, '0');
  return `names may not contain control characters, newlines, escape sequences or bidirectional overrides (found U+${code.toUpperCase()} at position ${bad.index})`;
}

/**
 * `text` with every character `nameProblem` refuses replaced by `?`: for printing names and
 * reasons from a server on a terminal, whatever the server let through.
 */
export function stripUnprintable(text: string): string {
  return text.replace(UNPRINTABLE_ALL, '?');
}

export { SessionId };
