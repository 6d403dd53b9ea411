import type { ServerControl } from './server-control.js';
import type { TcpProxy } from './tcp-proxy.js';

export type FaultName = 'kill9' | 'proxy-cut' | 'proxy-stall' | 'slow-reader';

/** What a fault injector did, for the report. */
export interface FaultLog {
  kills: number;
  cuts: number;
  cutConnections: number;
  stalls: number;
  slowStalls: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs the chosen faults in a loop until `until()` is true: each fault fires on its own period,
 * with some randomness, so they overlap in every combination when run together.
 */
export async function injectFaults(
  faults: readonly FaultName[],
  targets: {
    server: ServerControl;
    proxy: TcpProxy;
    slowProxy: TcpProxy;
    /** Every node of a many-node run (kill9 picks one at random); [server] otherwise. */
    nodes?: readonly ServerControl[];
  },
  until: () => boolean,
  periodMs: number,
): Promise<FaultLog> {
  const log: FaultLog = { kills: 0, cuts: 0, cutConnections: 0, stalls: 0, slowStalls: 0 };
  const loops = faults.map(async (fault) => {
    await sleep(periodMs * (0.3 + Math.random() * 0.5));
    while (!until()) {
      switch (fault) {
        case 'kill9': {
          const nodes = targets.nodes ?? [targets.server];
          const victim = nodes[Math.floor(Math.random() * nodes.length)]!;
          await victim.kill9();
          log.kills++;
          await sleep(100 + Math.random() * 300);
          await victim.start();
          break;
        }
        case 'proxy-cut':
          log.cutConnections += targets.proxy.cutAll();
          log.cuts++;
          break;
        case 'proxy-stall':
          targets.proxy.stall(true);
          log.stalls++;
          await sleep(300 + Math.random() * 1200);
          targets.proxy.stall(false);
          break;
        case 'slow-reader':
          targets.slowProxy.stallDownstream(true);
          log.slowStalls++;
          await sleep(1000 + Math.random() * 2000);
          targets.slowProxy.stallDownstream(false);
          break;
      }
      await sleep(periodMs * (0.5 + Math.random()));
    }
  });
  await Promise.all(loops);
  targets.proxy.stall(false);
  targets.slowProxy.stallDownstream(false);
  return log;
}
