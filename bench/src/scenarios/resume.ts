import { nowUs, sleep } from '../clock.js';
import { SYSTEMS_BUT_NAIVE, protocolOf, type SystemName } from '../drivers/connection.js';
import { expectedDeliveries, verifyDeliveries } from './measure.js';
import { loadProcessesFor, withServer } from './harness.js';
import type { Scenario, SystemRun } from './result.js';
import { buildTopology } from './topology.js';

export interface ResumeParams {
  /** Devices cut at once (device 0 submits and stays connected). */
  cut: number;
  /** Messages submitted while they are away. */
  missed: number;
  textBytes: number;
  /** Submission rate while they are away, messages per second. */
  rate: number;
}

/**
 * Cut `cut` devices at the same instant, submit `missed` messages while they are away, then
 * reconnect them all at once, each resuming from the last event it had. Measures the time from
 * the reconnect until the last device holds every missed message, and checks none was lost,
 * repeated or reordered. With one device and many messages this is the catch-up scenario.
 */
export function resumeScenario(
  name: string,
  title: string,
  description: string,
  params: ResumeParams,
): Scenario {
  return {
    name,
    title,
    description,
    systems: SYSTEMS_BUT_NAIVE,
    run: (system: SystemName) =>
      withServer(system, loadProcessesFor(params.cut), async (server, cluster) => {
        const topology = await buildTopology(system, server, {
          devices: params.cut + 1,
          sessions: 1,
          idle: 0,
        });
        await cluster.open(system, server.info.url, topology.specs);
        const away = topology.specs.slice(1).map((s) => s.index);
        // Every device has seen one message before the cut, as in a live conversation; a
        // Socket.IO client that never received a packet has no offset to recover from.
        const warmup = await cluster.run(
          {
            mode: 'rate',
            ratePerSubmitter: 1,
            window: 0,
            durationMs: 0,
            maxPerSubmitter: 1,
            textBytes: params.textBytes,
          },
          [0],
        );
        await cluster.drain(expectedDeliveries(warmup, topology), 30_000);
        const warm = verifyDeliveries(await cluster.collect(), warmup, topology);
        await cluster.cut(away);
        await sleep(200);
        const sent = await cluster.run(
          {
            mode: 'rate',
            ratePerSubmitter: params.rate,
            window: 0,
            durationMs: 600_000,
            maxPerSubmitter: params.missed,
            textBytes: params.textBytes,
          },
          [0],
        );
        // Only device 0 is connected: it receives each message once.
        await cluster.drain(params.missed, 120_000);
        await cluster.track(away, 0, sent.get(0)?.last ?? 0);
        await server.resetStats();
        const startUs = nowUs();
        const failed = await cluster.resume(away);
        const reconnectedUs = nowUs();
        const deadline = Date.now() + 120_000;
        let caught = await cluster.caughtUp(away);
        let lastProgress = Date.now();
        while (caught.caught < caught.total && Date.now() < deadline) {
          await sleep(50);
          const now = await cluster.caughtUp(away);
          if (now.caught !== caught.caught) lastProgress = Date.now();
          caught = now;
          // A system without storage never delivers what it did not keep.
          if (Date.now() - lastProgress > 5_000) break;
        }
        const profile = await server.stats();
        const collected = await cluster.collect();
        const run: SystemRun = {
          profile,
          system,
          connections: params.cut + 1,
          figures: {
            'reconnected (ms)': ((reconnectedUs - startUs) / 1000).toFixed(0),
            'caught up': `${caught.caught} / ${caught.total}`,
          },
          problems: warm.problems,
          notes: [],
        };
        if (failed > 0) run.problems.push(`${failed} devices failed to reconnect`);
        const complete = caught.caught === caught.total;
        if (complete) {
          run.figures['last caught up (ms)'] = ((caught.lastUs - startUs) / 1000).toFixed(0);
          const { problems } = verifyDeliveries(collected, sent, topology);
          run.problems.push(...problems);
        } else if (protocolOf(system) === 'ws') {
          run.figures['last caught up (ms)'] = 'never';
          run.notes.push(
            'raw ws keeps only its last 20,000 frames per room, in memory: older ones are lost',
          );
        } else {
          run.figures['last caught up (ms)'] = 'never';
          run.problems.push(`${caught.total - caught.caught} devices never caught up`);
        }
        return run;
      }),
  };
}
