import type { HostControl } from './host-control.js';
import type { ServerControl } from './server-control.js';
import type { TcpProxy } from './tcp-proxy.js';

export type FaultName = 'kill9' | 'host-kill9' | 'proxy-cut' | 'proxy-stall' | 'slow-reader';

/** What a fault injector did, for the report. */
export interface FaultLog {
  kills: number;
  /** `kill -9` of the relay's host (`host-kill9`). */
  hostKills: number;
  cuts: number;
  cutConnections: number;
  stalls: number;
  slowStalls: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs the chosen faults in a loop until `until()` is true, or each fault fired `rounds` times
 * when that is given, or `deadline` (epoch ms) passed: each fault fires on its own period, with
 * some randomness, so they overlap in every combination when run together.
 */
export async function injectFaults(
  faults: readonly FaultName[],
  targets: {
    server: ServerControl;
    proxy: TcpProxy;
    slowProxy: TcpProxy;
    /** Every node of a many-node run (kill9 picks one at random); [server] otherwise. */
    nodes?: readonly ServerControl[];
    /** The `baton host` of a relay run (`host-kill9` kills and restarts it). */
    host?: HostControl;
  },
  until: () => boolean,
  periodMs: number,
  rounds: number | undefined = undefined,
  deadline = Number.POSITIVE_INFINITY,
): Promise<FaultLog> {
  const log: FaultLog = {
    kills: 0,
    hostKills: 0,
    cuts: 0,
    cutConnections: 0,
    stalls: 0,
    slowStalls: 0,
  };
  const loops = faults.map(async (fault) => {
    await sleep(periodMs * (0.3 + Math.random() * 0.5));
    let fired = 0;
    const more = () => (rounds === undefined ? !until() : fired < rounds);
    while (more() && Date.now() < deadline) {
      fired++;
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
        case 'host-kill9': {
          const host = targets.host;
          if (!host) throw new Error('host-kill9 needs a host (a relay scenario)');
          await host.kill9();
          log.hostKills++;
          await sleep(100 + Math.random() * 300);
          await host.start();
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
