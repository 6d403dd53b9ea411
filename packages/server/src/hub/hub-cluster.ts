import type { ForwardedCommand, ForwardedResult } from '../cluster/forwarded-command.js';
import type { LiveSession } from './live-session.js';
import type { CommittedEvent } from './event-frame.js';

/**
 * What the hub asks of the cluster when many nodes share one PostgreSQL (cluster/cluster-node.ts).
 * Absent on a single node, where this node owns every session.
 */
export interface HubCluster {
  /** Takes the lease of a session this node just created, before its first append. */
  claimCreated(session: LiveSession): Promise<void>;
  /**
   * Runs a command on the session's owner and resolves once this node has applied every event
   * the command made; rejects with the owner's error.
   */
  forward(session: LiveSession, command: ForwardedCommand): Promise<ForwardedResult>;
  /** Reads and applies what the owner stored of a followed session, now (not at the next signal). */
  catchUp(session: LiveSession): Promise<void>;
  /** This node committed the session's events up to `seq`: the other nodes are told. */
  committed(sessionId: string, seq: number): void;
  /** A session was created or deleted here: the other nodes are told. */
  sessionsChanged(sessionId: string): void;
  /** A commit of this node was fenced: another node owns the session now. */
  leaseLost(sessionId: string): void;
  /** Attachments through this node to the session changed: the other nodes are told. */
  presenceChanged(session: LiveSession): void;
}

/** What the cluster asks of the hub. */
export interface ClusterHost {
  all(): Iterable<LiveSession>;
  find(id: string): LiveSession | undefined;
  /** Loads a session another node created (no-op when known or being created here). */
  adopt(id: string): Promise<void>;
  /** Drops a session another node deleted (its events and row are already gone). */
  forget(id: string): Promise<void>;
  /** Applies events another node committed, as a local commit would. */
  applyFollowed(session: LiveSession, events: CommittedEvent[]): void;
  /** Runs a forwarded command on a session this node owns. */
  runForwarded(session: LiveSession, command: ForwardedCommand): Promise<ForwardedResult>;
}
