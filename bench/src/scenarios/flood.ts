import { BatonApi } from '../baton-api.js';
import { sleep } from '../clock.js';
import type { ClientSpec, SystemName } from '../drivers/connection.js';
import { StalledViewer } from '../drivers/stalled-viewer.js';
import { measureLatency } from './measure.js';
import { withServer } from './harness.js';
import type { Scenario, SystemRun } from './result.js';
import { buildTopology } from './topology.js';

export interface FloodParams {
  devices: number;
  viewers: number;
  ratePerSubmitter: number;
  submitters: number;
  durationMs: number;
  textBytes: number;
}

const fmt = (ms: number) => ms.toFixed(2);

/**
 * A terminal session running `yes` floods its log and its viewers while another session's devices
 * keep chatting. Measures that session's latency with and without the flood and the server's
 * event-loop delay during it, then the same with one more viewer of the flood that stops reading
 * (what a stalled device costs the others). Baton only: the peers have no terminals.
 */
export function floodScenario(
  name: string,
  title: string,
  description: string,
  params: FloodParams,
): Scenario {
  return {
    name,
    title,
    description,
    systems: ['baton', 'baton-full'],
    run: (system: SystemName) =>
      withServer(system, 2, async (server, cluster) => {
        const topology = await buildTopology(system, server, {
          devices: params.devices,
          sessions: 1,
          idle: 0,
        });
        await cluster.open(system, server.info.url, topology.specs);
        const phase = {
          submitters: topology.members[0]?.slice(0, params.submitters) ?? [],
          ratePerSubmitter: params.ratePerSubmitter,
          durationMs: params.durationMs,
          textBytes: params.textBytes,
        };
        await server.resetStats();
        const quiet = await measureLatency(cluster, topology, phase);
        const quietStats = await server.stats();

        const { httpUrl = '', ownerToken = '' } = server.info;
        const api = new BatonApi(httpUrl, ownerToken);
        const flood = await api.createSession('terminal', 'flood', { shell: 'yes', args: [] });
        const viewers: ClientSpec[] = Array.from({ length: params.viewers }, (_, i) => ({
          index: params.devices + i,
          room: flood,
          token: topology.specs[0]?.token ?? '',
          subscribe: true,
        }));
        await cluster.open(system, server.info.url, viewers);
        await sleep(1000);
        const before = await cluster.otherEvents();
        await server.resetStats();
        const loud = await measureLatency(cluster, topology, phase);
        const loudStats = await server.stats();
        const after = await cluster.otherEvents();
        // One more viewer of the flood that stops reading: the chat must not wait for it.
        const stalled = await StalledViewer.open(server.info.url, ownerToken, flood);
        const withStalled = await measureLatency(cluster, topology, phase);
        const stalledCut = stalled.closedByServer;
        stalled.close();
        await api.deleteSession(flood);

        const seconds = loudStats.wallUs / 1e6;
        const run: SystemRun = {
          system,
          connections: params.devices + params.viewers,
          latency: loud.latency,
          figures: {
            'chat p99 quiet (ms)': fmt(quiet.latency.p99),
            'chat p99 flooded (ms)': fmt(loud.latency.p99),
            'chat p99 flooded, one viewer stalled (ms)': fmt(withStalled.latency.p99),
            'stalled viewer cut by the server': stalledCut ? 'yes' : 'no',
            'loop delay p99 quiet / flooded (ms)': `${fmt(quietStats.eventLoopDelayP99Ms)} / ${fmt(loudStats.eventLoopDelayP99Ms)}`,
            'loop delay max flooded (ms)': fmt(loudStats.eventLoopDelayMaxMs),
            'flood to viewers (MB/s)': ((after.bytes - before.bytes) / 1e6 / seconds).toFixed(1),
            'flood events/s': ((after.events - before.events) / seconds).toFixed(0),
            'server CPU flooded (cores)': (loudStats.cpuUs / loudStats.wallUs).toFixed(2),
          },
          problems: [...quiet.problems, ...loud.problems, ...withStalled.problems],
          notes: [],
        };
        if (after.events === before.events)
          run.problems.push('the flood produced no output events');
        return run;
      }),
  };
}
