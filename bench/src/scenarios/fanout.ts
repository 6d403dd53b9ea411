import type { SystemName } from '../drivers/connection.js';
import { SYSTEMS_BUT_STORE_COMPARISONS } from '../drivers/connection.js';
import { measureLatency, measureSaturation } from './measure.js';
import { loadProcessesFor, withServer } from './harness.js';
import type { Scenario, SystemRun } from './result.js';
import { buildTopology, type TopologySpec } from './topology.js';

export interface FanoutParams extends TopologySpec {
  textBytes: number;
  /** The systems it runs (default every one but baton-pg). */
  systems?: readonly SystemName[];
  latency: {
    submittersPerSession: number;
    ratePerSubmitter: number;
    /**
     * Submissions at the same rate before the measured phase, checked but kept apart: the first
     * seconds after a server starts run its code unoptimized (V8 compiles a function only once it
     * is hot), and they held all of baton's top 1% of latencies and most of Socket.IO's
     * (docs/benchmarks.md, "The first seconds after a start"). A server in use has long been warm.
     */
    warmupMs: number;
    durationMs: number;
  };
  saturation: { submittersPerSession: number; window: number; durationMs: number };
}

/**
 * Devices attached to sessions; some of them submit and every attached device receives every
 * message of its session. Measures latency at a fixed rate, then the ceiling with a window of
 * messages in flight, then memory per connection.
 */
export function fanoutScenario(
  name: string,
  title: string,
  description: string,
  params: FanoutParams,
): Scenario {
  return {
    name,
    title,
    description,
    systems: params.systems ?? SYSTEMS_BUT_STORE_COMPARISONS,
    run: (system: SystemName) => {
      const connections = params.devices + params.idle;
      return withServer(system, loadProcessesFor(connections), async (server, cluster) => {
        const topology = await buildTopology(system, server, params);
        const before = await server.stats();
        await cluster.open(system, server.info.url, topology.specs);
        const after = await server.stats();
        const pick = (count: number) => topology.members.flatMap((m) => m.slice(0, count));
        const latencyPhase = {
          submitters: pick(params.latency.submittersPerSession),
          ratePerSubmitter: params.latency.ratePerSubmitter,
          textBytes: params.textBytes,
        };
        const warmup = await measureLatency(cluster, topology, {
          ...latencyPhase,
          durationMs: params.latency.warmupMs,
        });
        // The server's figures (CPU, GC, loop delay) are of the measured phase alone.
        await server.resetStats();
        const latency = await measureLatency(cluster, topology, {
          ...latencyPhase,
          durationMs: params.latency.durationMs,
        });
        const profile = await server.stats();
        const saturation = await measureSaturation(cluster, server, topology, {
          submitters: pick(params.saturation.submittersPerSession),
          window: params.saturation.window,
          durationMs: params.saturation.durationMs,
          textBytes: params.textBytes,
        });
        const run: SystemRun = {
          system,
          connections,
          latency: latency.latency,
          warmupLatency: warmup.latency,
          saturation,
          profile,
          rssPerConnectionBytes: (after.rssBytes - before.rssBytes) / connections,
          figures: {},
          problems: [
            ...warmup.problems.map((p) => `warm-up: ${p}`),
            ...latency.problems,
            ...saturation.problems,
          ],
          notes: [],
        };
        return run;
      });
    },
  };
}
