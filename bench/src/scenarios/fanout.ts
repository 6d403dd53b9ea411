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
  latency: { submittersPerSession: number; ratePerSubmitter: number; durationMs: number };
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
        await server.resetStats();
        const latency = await measureLatency(cluster, topology, {
          submitters: pick(params.latency.submittersPerSession),
          ratePerSubmitter: params.latency.ratePerSubmitter,
          durationMs: params.latency.durationMs,
          textBytes: params.textBytes,
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
          saturation,
          profile,
          rssPerConnectionBytes: (after.rssBytes - before.rssBytes) / connections,
          figures: {},
          problems: [...latency.problems, ...saturation.problems],
          notes: [],
        };
        return run;
      });
    },
  };
}
