/**
 * Which server a load generator talks to:
 * - `baton`: baton with `durability: 'normal'` (a commit survives `kill -9`, not a power loss);
 * - `baton-full`: baton with `durability: 'full'` (one fsync per group commit: survives a power loss);
 * - `socketio`: Socket.IO 4.8 with connection-state recovery;
 * - `ws`: the floor, raw `ws` using the same two send techniques as baton (each frame encoded
 *   once for all members, one socket write per event-loop iteration per connection);
 * - `ws-stored`: the stored floor, the floor that commits every frame to SQLite (WAL,
 *   `synchronous=NORMAL` as baton's durability normal) in one transaction per loop iteration
 *   before it sends it: what storing before delivery costs at the least, with no dedupe, no
 *   validation and no presence (servers/ws-server.ts); only in the seed scenarios;
 * - `ws-naive`: raw `ws` encoding each frame per member and writing one frame per system call,
 *   kept only to show what those two techniques are worth;
 * - `baton-pg`: baton with the PostgreSQL store (`--store`) on the PostgreSQL of the machine
 *   (BATON_BENCH_PG, default postgres://postgres@127.0.0.1:5432/test), each run in a schema of
 *   its own; only in the scenarios that measure appends (the two seed scenarios);
 * - `baton-base`, `baton-full-base`: the same two baton servers built from another checkout
 *   (`--baseline DIR`), for an A/B of a change measured in one run under the same load. Their
 *   devices do not ask for replay pages (`events` frames), as clients did before them: with
 *   this build as the baseline (`--baseline .`), the A/B is replay pages alone.
 */
export type SystemName =
  | 'baton'
  | 'baton-full'
  | 'baton-pg'
  | 'baton-base'
  | 'baton-full-base'
  | 'socketio'
  | 'ws'
  | 'ws-stored'
  | 'ws-naive';

/** The wire protocol a system speaks, which decides the client driver and the server program. */
export type Protocol = 'baton' | 'socketio' | 'ws';

export const SYSTEMS: readonly SystemName[] = [
  'baton',
  'baton-full',
  'baton-pg',
  'socketio',
  'ws',
  'ws-stored',
  'ws-naive',
];

/**
 * The systems of the fan-out scenarios that do not compare stores: every one but baton-pg and
 * the stored floor, which the seed scenarios measure.
 */
export const SYSTEMS_BUT_STORE_COMPARISONS: readonly SystemName[] = SYSTEMS.filter(
  (s) => s !== 'baton-pg' && s !== 'ws-stored',
);

/** Systems of the scenarios where the naive floor would only repeat the floor's answer. */
export const SYSTEMS_BUT_NAIVE: readonly SystemName[] = ['baton', 'baton-full', 'socketio', 'ws'];

/** Baseline builds, run only when asked for by name with `--baseline DIR`. */
export const BASELINE_SYSTEMS: readonly SystemName[] = ['baton-base', 'baton-full-base'];

/**
 * The system a baseline stands in for (itself for every other system): a baseline runs the
 * scenarios of the system it is compared with, speaks its protocol, and is paired with it in the
 * A/B lines.
 */
export function comparedWith(system: SystemName): SystemName {
  if (system === 'baton-base') return 'baton';
  if (system === 'baton-full-base') return 'baton-full';
  return system;
}

export function protocolOf(system: SystemName): Protocol {
  const compared = comparedWith(system);
  if (compared === 'baton' || compared === 'baton-full' || compared === 'baton-pg') return 'baton';
  if (compared === 'ws' || compared === 'ws-stored' || compared === 'ws-naive') return 'ws';
  return 'socketio';
}

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
