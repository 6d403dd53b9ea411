import { nowUs } from '../clock.js';
import type { LoadCluster, Collected, Sent } from '../load/cluster.js';
import type { ServerProcess } from '../server-process.js';
import type { ServerStats } from '../servers/server-stats.js';
import { summarizeUs, type LatencySummary } from '../stats.js';
import type { Topology } from './topology.js';

/**
 * Checks what the load generators saw against what was sent: every message delivered to every
 * device attached to its session exactly once, in each submitter's order. Returns the
 * submit → delivered-to-all latencies of the complete messages and a line per problem.
 */
export function verifyDeliveries(
  collected: Collected,
  sent: Sent,
  topology: Topology,
): { latenciesUs: number[]; problems: string[] } {
  const problems: string[] = [];
  const latenciesUs: number[] = [];
  let missing = 0;
  let short = 0;
  let over = 0;
  for (const [submitter, { first, last }] of sent) {
    const room = topology.specs[submitter]?.room ?? '';
    const expected = topology.attached.get(room) ?? 0;
    for (let n = first; n <= last; n++) {
      const m = collected.messages.get(`${submitter}.${n}`);
      if (!m) {
        missing++;
        continue;
      }
      if (m.receivers < expected) short++;
      else if (m.receivers > expected) over++;
      else latenciesUs.push(m.lastReceivedUs - m.submittedUs);
    }
  }
  if (missing > 0) problems.push(`${missing} messages reached no device`);
  if (short > 0) problems.push(`${short} messages missed some devices`);
  if (over > 0) problems.push(`${over} messages delivered more often than devices attached`);
  if (collected.duplicates > 0) problems.push(`${collected.duplicates} duplicate deliveries`);
  if (collected.gaps > 0) problems.push(`${collected.gaps} gaps in a device's stream`);
  if (collected.anomalyCount > 0) {
    problems.push(`${collected.anomalyCount} protocol anomalies, e.g. ${collected.anomalies[0]}`);
  }
  return { latenciesUs, problems };
}

/** Deliveries the submissions in `sent` must produce. */
export function expectedDeliveries(sent: Sent, topology: Topology): number {
  let total = 0;
  for (const [submitter, { first, last }] of sent) {
    total +=
      (last - first + 1) * (topology.attached.get(topology.specs[submitter]?.room ?? '') ?? 0);
  }
  return total;
}

export interface LatencyPhase {
  submitters: number[];
  ratePerSubmitter: number;
  durationMs: number;
  textBytes: number;
}

/** Open-loop submissions at a fixed rate, well below saturation: the latency a device sees. */
export async function measureLatency(
  cluster: LoadCluster,
  topology: Topology,
  phase: LatencyPhase,
): Promise<{ latency: LatencySummary; problems: string[] }> {
  const sent = await cluster.run(
    {
      mode: 'rate',
      ratePerSubmitter: phase.ratePerSubmitter,
      window: 0,
      durationMs: phase.durationMs,
      maxPerSubmitter: Math.ceil((phase.ratePerSubmitter * phase.durationMs) / 1000) + 1,
      textBytes: phase.textBytes,
    },
    phase.submitters,
  );
  await cluster.drain(expectedDeliveries(sent, topology), 60_000);
  const { latenciesUs, problems } = verifyDeliveries(await cluster.collect(), sent, topology);
  return { latency: summarizeUs(latenciesUs), problems };
}

export interface SaturationResult {
  /** Deliveries per second, first submission to last delivery. */
  deliveriesPerSec: number;
  /** Messages submitted per second over the same span: for baton, appends to the logs. */
  submissionsPerSec: number;
  deliveries: number;
  /** Server CPU over the same span, in cores (1.0 = one core busy). */
  serverCores: number;
  cpuUsPerDelivery: number;
  stats: ServerStats;
  problems: string[];
}

/** Closed-loop submissions with `window` messages in flight per submitter: the ceiling. */
export async function measureSaturation(
  cluster: LoadCluster,
  server: ServerProcess,
  topology: Topology,
  phase: { submitters: number[]; window: number; durationMs: number; textBytes: number },
): Promise<SaturationResult> {
  await server.resetStats();
  const startUs = nowUs();
  const sent = await cluster.run(
    {
      mode: 'window',
      ratePerSubmitter: 0,
      window: phase.window,
      durationMs: phase.durationMs,
      maxPerSubmitter: Number.MAX_SAFE_INTEGER,
      textBytes: phase.textBytes,
    },
    phase.submitters,
  );
  await cluster.drain(expectedDeliveries(sent, topology), 120_000);
  const stats = await server.stats();
  const collected = await cluster.collect();
  const { problems } = verifyDeliveries(collected, sent, topology);
  let endUs = startUs;
  for (const m of collected.messages.values()) endUs = Math.max(endUs, m.lastReceivedUs);
  const spanUs = Math.max(1, endUs - startUs);
  let submitted = 0;
  for (const { first, last } of sent.values()) submitted += last - first + 1;
  return {
    deliveriesPerSec: collected.deliveries / (spanUs / 1e6),
    submissionsPerSec: submitted / (spanUs / 1e6),
    deliveries: collected.deliveries,
    serverCores: stats.cpuUs / spanUs,
    cpuUsPerDelivery: stats.cpuUs / Math.max(1, collected.deliveries),
    stats,
    problems,
  };
}
