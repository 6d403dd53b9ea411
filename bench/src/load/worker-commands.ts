import type { ClientSpec, SystemName } from '../drivers/connection.js';

/** Commands the coordinator sends to a load generator, and what it answers. */

export interface OpenCommand {
  system: SystemName;
  url: string;
  clients: ClientSpec[];
  /** How many handshakes this load generator runs at once. */
  concurrency: number;
}

export interface RunCommand {
  /** `rate`: open loop at a fixed rate. `window`: keep `window` messages in flight per submitter. */
  mode: 'rate' | 'window';
  submitters: number[];
  ratePerSubmitter: number;
  window: number;
  durationMs: number;
  /** Upper bound on messages per submitter in this run. */
  maxPerSubmitter: number;
  textBytes: number;
}

export interface TrackCommand {
  indices: number[];
  submitter: number;
  n: number;
}

export interface CollectReport {
  /** [msgId, submitted µs, latest receive µs, receivers] */
  messages: [string, number, number, number][];
  deliveries: number;
  duplicates: number;
  gaps: number;
  otherEvents: number;
  otherBytes: number;
  anomalies: string[];
  anomalyCount: number;
}

export interface CaughtUpReport {
  caught: number;
  total: number;
  lastUs: number;
}
