import type { SessionLease } from '../storage/session-lease.js';

/**
 * What the nodes sharing one PostgreSQL schema say to each other, all of it through the
 * database: nodes never connect to one another (behind a load balancer they may not reach each
 * other). PgClusterBus implements it.
 *
 * Notifications are hints only: each carries a short pointer (`ClusterSignal`), never an event,
 * and a node acts on one by reading the store. A lost notification (the LISTEN connection broke,
 * or the message was dropped on its way) is made up by the poll, which reads the same state.
 */
export interface ClusterBus {
  /**
   * Listens for signals; `onResumed` is called after the LISTEN connection was lost and is back
   * (signals sent meanwhile are lost: the caller polls at once). Resolves once listening.
   */
  listen(onSignal: (signal: ClusterSignal) => void, onResumed: () => void): Promise<void>;
  /** Sends a signal to every node (this one too). Never rejects: a lost signal is polled up. */
  signal(signal: ClusterSignal): Promise<void>;
  /** Every stored session's head, first retained seq and lease holder (one round trip). */
  sessionHeads(): Promise<SessionHead[]>;
  /** Extends every lease of `owner` among `leases` by `ttlMs`; the ones still held. */
  renewLeases(leases: readonly SessionLease[], ttlMs: number): Promise<SessionLease[]>;
  /** Stores a request for the owner of `sessionId`; its id. */
  forward(sessionId: string, node: string, body: string): Promise<number>;
  /** Requests not yet answered for these sessions, oldest first. */
  openRequests(sessionIds: readonly string[]): Promise<ForwardedRequest[]>;
  /** Answers a request (once: a second answer is ignored). */
  answer(id: number, result: string): Promise<void>;
  /** The answers among `ids` that exist; each answered row is deleted as it is read. */
  takeAnswers(ids: readonly number[]): Promise<Map<number, string>>;
  /**
   * Deletes requests older than `ms`: answers nobody collected (the asking node died) and
   * requests no owner ever took (their asker gave up long ago, and a retry is a new request).
   */
  prune(ms: number): Promise<void>;
  /**
   * Stores what this node shows of a session's presence (`body`, see NodePresence), or deletes
   * it (undefined: no attachment through this node). Renewed with `renewPresence`.
   */
  publishPresence(node: string, sessionId: string, body: string | undefined): Promise<void>;
  /** Marks every presence row of `node` as current (its heartbeat). */
  renewPresence(node: string): Promise<void>;
  /**
   * The presence rows of other nodes renewed within the last `freshMs`, of one session or of
   * all. Rows of a node that stopped renewing (it died) are left out, then pruned.
   */
  readPresence(node: string, freshMs: number, sessionId?: string): Promise<PresenceRow[]>;
  /** Deletes every presence row of `node` (it shuts down). */
  clearPresence(node: string): Promise<void>;
  /** Ends the LISTEN connection. */
  close(): Promise<void>;
}

export interface SessionHead {
  id: string;
  headSeq: number;
  firstSeq: number;
  /** Whether some node holds an unexpired lease on it. */
  leased: boolean;
}

export interface PresenceRow {
  node: string;
  sessionId: string;
  body: string;
}

export interface ForwardedRequest {
  id: number;
  sessionId: string;
  body: string;
}

/**
 * A notification's payload, far below NOTIFY's 8,000 bytes (ids and numbers only):
 * - `commit`: the owner of `sessionId` committed up to `seq`;
 * - `session`: a session was created or deleted (read the store to see which);
 * - `request`: a request for the owner of `sessionId` is waiting;
 * - `answer`: request `id` was answered;
 * - `presence`: a node changed its presence row of `sessionId`.
 */
export type ClusterSignal =
  | { kind: 'commit'; sessionId: string; seq: number }
  | { kind: 'session'; sessionId: string }
  | { kind: 'request'; sessionId: string }
  | { kind: 'answer'; id: number }
  | { kind: 'presence'; sessionId: string };

/**
 * The payload of a signal: `c:<session>:<seq>`, `s:<session>`, `q:<session>`, `a:<id>`,
 * `p:<session>`. A node of an older version ignores a kind it does not know (decodeSignal).
 */
export function encodeSignal(s: ClusterSignal): string {
  switch (s.kind) {
    case 'commit':
      return `c:${s.sessionId}:${s.seq}`;
    case 'session':
      return `s:${s.sessionId}`;
    case 'request':
      return `q:${s.sessionId}`;
    case 'answer':
      return `a:${s.id}`;
    case 'presence':
      return `p:${s.sessionId}`;
  }
}

/** A payload back to a signal; undefined for anything else (another version's signal). */
export function decodeSignal(payload: string): ClusterSignal | undefined {
  const [kind, a, b] = payload.split(':');
  if (a === undefined || a === '') return undefined;
  if (kind === 'c' && b !== undefined && /^\d+$/.test(b))
    return { kind: 'commit', sessionId: a, seq: Number(b) };
  if (kind === 's') return { kind: 'session', sessionId: a };
  if (kind === 'q') return { kind: 'request', sessionId: a };
  if (kind === 'p') return { kind: 'presence', sessionId: a };
  if (kind === 'a' && /^\d+$/.test(a)) return { kind: 'answer', id: Number(a) };
  return undefined;
}
