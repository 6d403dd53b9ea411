import { performance } from 'node:perf_hooks';
import {
  ProtocolClient,
  QUIET_TERMINAL,
  spawnServerProcess,
  tempDataDir,
  tempPgSchema,
  waitUntil,
  type ServerProcess,
} from '@baton/server/testing';
import type { SessionInfo } from '@baton/protocol';
import type { SystemName } from '../drivers/connection.js';
import { summarizeUs } from '../stats.js';
import type { Scenario, SystemRun } from './result.js';

const BENCH_PG_URL = process.env['BATON_BENCH_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The lease of the three-node run: the failover bound it measures against. */
const LEASE_MS = 3_000;

export interface ManyNodesOptions {
  /** Devices per node (three nodes on PostgreSQL; all on the one SQLite node). */
  devicesPerNode: number;
  /** Inputs per second from one device on each node. */
  ratePerSubmitter: number;
  durationMs: number;
}

/**
 * Many nodes on one PostgreSQL against one node on SQLite, in the same run: every device submits
 * on its own node and the time to every device (on every node) is measured; then, for the nodes,
 * the owner is killed (`kill -9`) and the time until the surviving nodes' devices see the session
 * taken over (its shell `exited`). `baton` is one node on SQLite; `baton-pg` three `--cluster`
 * nodes on PostgreSQL with the devices spread over them.
 */
export function manyNodesScenario(name: string, o: ManyNodesOptions): Scenario {
  return {
    name,
    title: 'Three nodes on PostgreSQL against one on SQLite',
    description: `${o.devicesPerNode} devices on each of three nodes (\`baton-pg\`: \`--cluster\`, lease ${LEASE_MS} ms) or all on one SQLite node (\`baton\`); one device per node submits ${o.ratePerSubmitter}/s to one terminal session; latency is submit to every device. Failover: \`kill -9\` of the owner until every surviving device shows the takeover.`,
    systems: ['baton', 'baton-pg'] as SystemName[],
    run: (system) => runOnce(system, o),
  };
}

async function runOnce(system: SystemName, o: ManyNodesOptions): Promise<SystemRun> {
  const nodesWanted = system === 'baton-pg' ? 3 : 1;
  const schema =
    system === 'baton-pg' ? await tempPgSchema('baton_bench', BENCH_PG_URL) : undefined;
  const token = `bo_bench_${Date.now()}`;
  const dirs = Array.from({ length: nodesWanted }, () => tempDataDir('baton-bench-'));
  const nodes: ServerProcess[] = [];
  const clients: ProtocolClient[][] = [];
  const run: SystemRun = { system, connections: 0, figures: {}, problems: [], notes: [] };
  try {
    for (let i = 0; i < nodesWanted; i++) {
      const args = ['--token', token];
      if (schema) args.push('--store', schema.url, '--cluster', '--lease-ms', String(LEASE_MS));
      nodes.push(await spawnServerProcess(dirs[i]!.dir, 0, args));
    }
    // Devices: on three nodes, a third on each; on one node, all of them there.
    for (let n = 0; n < 3; n++) {
      const node = nodes[n % nodes.length]!;
      const list: ProtocolClient[] = [];
      for (let d = 0; d < o.devicesPerNode; d++)
        list.push(await ProtocolClient.connect(node.wsUrl, token));
      clients.push(list);
    }
    const all = clients.flat();
    run.connections = all.length;
    const { session } = await all[0]!.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      config: QUIET_TERMINAL,
    });
    for (const c of all)
      await waitUntil(
        () =>
          c.subscribe(session.id, 0).then(
            () => true,
            () => false,
          ),
        'the session on every node',
      );

    // Submit → every device, one submitter per node.
    const sentAt = new Map<number, number>();
    const samples: number[] = [];
    const end = performance.now() + o.durationMs;
    let problems = 0;
    await Promise.all(
      clients.map(async (list, n) => {
        let i = 0;
        while (performance.now() < end) {
          const next = performance.now() + 1000 / o.ratePerSubmitter;
          const started = performance.now();
          try {
            const ack = await list[0]!.submit(
              session.id,
              `${n}-${i++}`,
              { kind: 'terminal', data: 'x' },
              20_000,
            );
            sentAt.set(ack.seq, started);
          } catch {
            problems++;
          }
          const wait = next - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      }),
    );
    const head = Math.max(...sentAt.keys());
    await Promise.all(all.map((c) => c.waitForSeq(session.id, head, 60_000)));
    // Each device's arrival of each event is recorded by the client as it applies it.
    for (const [seq, at] of sentAt) {
      let last = at;
      for (const c of all) last = Math.max(last, arrivalOf(c, session.id, seq) ?? at);
      samples.push((last - at) * 1000);
    }
    run.latency = summarizeUs(samples);
    run.figures['submit → every device p99 (ms)'] = run.latency.p99.toFixed(1);
    if (problems > 0) run.problems.push(`${problems} inputs were refused`);
    for (const c of all)
      if (c.violations.length > 0) run.problems.push(`a device saw ${c.violations[0]}`);

    if (nodes.length === 3) {
      const killed = performance.now();
      await nodes[0]!.kill9();
      const survivors = clients.slice(1).flat();
      await waitUntil(
        () =>
          survivors.every((c) =>
            c.logs
              .get(session.id)
              ?.some((e) => e.type === 'session.status' && e.data.status === 'exited'),
          ),
        'the takeover on every surviving device',
        LEASE_MS * 10,
      );
      run.figures['failover (ms)'] = (performance.now() - killed).toFixed(0);
    } else {
      run.figures['failover (ms)'] = 'n/a (one node)';
    }
    return run;
  } finally {
    for (const c of clients.flat()) c.terminate();
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    for (const d of dirs) d.remove();
    await schema?.drop();
  }
}

/** When `client` applied event `seq` of the session (performance.now() ms), if it did. */
function arrivalOf(client: ProtocolClient, sessionId: string, seq: number): number | undefined {
  return client.arrivals.get(`${sessionId}/${seq}`);
}
