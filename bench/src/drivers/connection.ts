/** Which server a load generator talks to. */
export type SystemName = 'baton' | 'socketio' | 'ws';

export const SYSTEMS: readonly SystemName[] = ['baton', 'socketio', 'ws'];

/** One simulated device: what it connects with and which session (room) it attaches to. */
export interface ClientSpec {
  index: number;
  /** Baton session id, or the room name for the peers. */
  room: string;
  /** Baton device token; unused by the peers. */
  token: string;
  /** Idle connections connect (and say hello) but attach to nothing. */
  subscribe: boolean;
}

/** What a connection reports back to the load generator that owns it. */
export interface ConnectionEvents {
  /** A broadcast message (the text a device submitted) arrived. */
  onText(text: string): void;
  /** Some other stored event arrived (terminal output in the flood scenario). */
  onOther(bytes: number): void;
}

/**
 * One client connection of the system under test. Implementations speak that system's own
 * protocol; the load generator above them is the same for every system.
 */
export interface Connection {
  /** Connect, authenticate and attach. Resolves when the attachment is confirmed. */
  open(): Promise<void>;
  /** Submit one message to the attached room/session. */
  submit(msgId: string, text: string): void;
  /** Drop the connection abruptly, as a network failure would. */
  cut(): void;
  /** Reconnect after `cut` and resume where the client left off, as far as the system can. */
  resume(): Promise<void>;
  close(): void;
  /** Protocol-level anomalies seen (sequence gaps, error frames). */
  readonly anomalies: string[];
}
