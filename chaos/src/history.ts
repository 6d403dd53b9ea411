/**
 * What one client recorded during a run, in the style of a Jepsen history: what it submitted,
 * what the server acknowledged, and every event it observed, per subscription.
 */

/** One observed event: its sequence number and a digest of its whole content. */
export interface ObservedEvent {
  seq: number;
  digest: string;
}

/**
 * Events received on one subscription (one `subscribe` on one connection), in arrival order.
 * A snapshot replaces everything up to its `seq`: the events that follow start after it.
 */
export interface Segment {
  afterSeq: number;
  items: ({ kind: 'event'; event: ObservedEvent } | { kind: 'snapshot'; seq: number })[];
}

export interface Ack {
  inputId: string;
  seq: number;
  duplicate: boolean;
}

export interface ClientHistory {
  client: string;
  sessionId: string;
  /**
   * The client opened every sealed event before recording it (an SDK device): its digests are
   * of the plaintext events, compared with the log's opened events. Otherwise they are of the
   * events as delivered (for a sealed session, the envelopes), compared with the log's.
   */
  opened?: boolean;
  /** Input ids this client submitted (each once, however often it retried). */
  submitted: string[];
  acks: Ack[];
  segments: Segment[];
}

/** The server's log of a session read at the end of the run: event i has seq i + 1. */
export interface CanonicalEvent {
  seq: number;
  type: string;
  /** The input id, for input events. */
  inputId?: string;
  /** The text, for terminal output events (the host-stream check reads the shell's lines). */
  output?: string;
  /** `stableStringify({type, data})`: what a host's `out` carried for this event. */
  content?: string;
  digest: string;
  /** A sealed session's event as the checker's device opened and verified it (its digest). */
  plainDigest?: string;
}
