import type { ClientHistory } from './history.js';

/** What every checker client (raw protocol or SDK) offers the scenario runner. */
export interface ChaosClient {
  readonly name: string;
  readonly sessionId: string;
  /** Every input submitted and answered (acknowledged, or rejected for good). */
  readonly done: boolean;
  /** Distinct inputs acknowledged. */
  readonly acked: number;
  /** Honest inputs the server rejected for good. */
  readonly rejected: number;
  /** Errors no honest client should get. */
  readonly unexpectedErrors: string[];
  /** Connections opened, the first included. */
  readonly connects: number;
  /**
   * The lowest, over this client's subscribers, of the last sequence number each one holds:
   * the liveness check waits for it to reach the head of the log.
   */
  readonly position: number;
  start(): void;
  stop(): void;
  result(): ClientHistory;
}

/** How honest clients fill a session: chat messages, or lines typed into a terminal. */
export type InputKind = 'message' | 'terminal';

/** The input payload for one honest input of `text`. */
export function honestPayload(
  kind: InputKind,
  text: string,
): { kind: 'message'; text: string } | { kind: 'terminal'; data: string } {
  return kind === 'terminal' ? { kind: 'terminal', data: `${text}\n` } : { kind: 'message', text };
}
