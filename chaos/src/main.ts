import { parseArgs } from 'node:util';
import type { FaultName } from './faults.js';
import { runScenario, type ScenarioSpec } from './run-scenario.js';

const USAGE = `Usage: node chaos/dist/main.js [--profile full|ci] [--only a,b]
  Runs each fault scenario against a real baton server and checks every client's history.
  Scenarios: kill9, kill9-full, nodes-kill9, relay-kill9, host-kill9, proxy-cut, proxy-stall, slow-reader, duplicate-race, stale-resume, fuzz,
             compaction, terminal, http-fuzz, all-faults
  The ci profile leaves out relay-kill9 and host-kill9 (minutes each) unless --only names them;
  .ci/run runs them as a step of their own.
  Exit code 0 only if every scenario's histories check out.`;

/**
 * Scenarios the ci profile runs only when `--only` names them: each starts a whole `baton relay`
 * or `baton host` command several times, minutes on a busy 2-core machine, past the profile's
 * few minutes in all.
 */
const FULL_ONLY = new Set(['relay-kill9', 'host-kill9']);

/**
 * Liveness bound: once the faults heal, every subscriber must hold the head of its log within
 * this. Generous for a shared 2-core machine; a client that stopped receiving never gets there.
 */
const LIVENESS_BOUND_MS = 15_000;
/** Events kept per session in the compaction scenarios: compaction runs every few seconds. */
const SMALL_RETENTION = 100;
const TERMINAL_RETENTION = 200;

function scenarios(full: boolean): ScenarioSpec[] {
  const base = {
    sessions: 2,
    sessionKind: 'claude' as const,
    clients: full ? 8 : 4,
    sdkClients: full ? 4 : 2,
    inputsPerClient: full ? 400 : 100,
    twins: 0,
    stale: 0,
    slow: 0,
    textBytes: 64,
    fuzzFrames: 0,
    faultPeriodMs: 1000,
    durationMs: full ? 30_000 : 8000,
    deadlineMs: full ? 180_000 : 60_000,
    livenessBoundMs: LIVENESS_BOUND_MS,
  };
  const spec = (
    name: string,
    description: string,
    faults: FaultName[],
    extra: Partial<ScenarioSpec> = {},
  ) => ({
    ...base,
    name,
    description,
    faults,
    ...extra,
  });
  // A relay or host start is a whole `baton` command (seconds on a busy machine): fewer inputs
  // over a longer time, so that they span the kills, and a deadline that allows the restarts.
  const relay = {
    relay: true,
    sessionKind: 'terminal' as const,
    inputsPerClient: full ? 200 : 60,
    durationMs: full ? 30_000 : 12_000,
    faultPeriodMs: 3000,
    deadlineMs: full ? 300_000 : 180_000,
  };
  return [
    spec(
      'kill9',
      'kill -9 of the server mid-load and a restart on the same data and port, repeatedly',
      ['kill9'],
      {
        faultPeriodMs: full ? 1500 : 1200,
      },
    ),
    spec(
      'nodes-kill9',
      'three --cluster nodes on one PostgreSQL, clients spread over them, kill -9 of a random node and its restart, repeatedly',
      ['kill9'],
      {
        nodes: { count: 3, leaseMs: 2000 },
        faultPeriodMs: full ? 4000 : 3000,
        deadlineMs: full ? 240_000 : 120_000,
      },
    ),
    spec(
      'relay-kill9',
      'a real baton relay and a sealing baton host, terminals on the host printing numbered lines, devices paired by link typing sealed input through the relay; kill -9 of the relay and a restart on the same data and port, repeatedly',
      ['kill9'],
      { ...relay, faultRounds: full ? 8 : 3 },
    ),
    spec(
      'host-kill9',
      'a real baton relay and a sealing baton host, terminals on the host printing numbered lines, devices paired by link typing sealed input through the relay; kill -9 of the host and a restart on the same data, repeatedly',
      ['host-kill9'],
      { ...relay, faultRounds: full ? 8 : 3 },
    ),
    spec(
      'kill9-full',
      'kill -9 and restart, repeatedly, with the server in full durability (an fsync per group commit)',
      ['kill9'],
      { durability: 'full', faultPeriodMs: full ? 1500 : 1200 },
    ),
    spec('proxy-cut', 'every connection cut at once by the proxy, repeatedly', ['proxy-cut'], {
      faultPeriodMs: 700,
    }),
    spec('proxy-stall', 'every connection stalled by the proxy (both ways) for up to 1.5 s', [
      'proxy-stall',
    ]),
    spec(
      'slow-reader',
      'clients whose incoming bytes stop for seconds while others keep writing',
      ['slow-reader'],
      {
        slow: 2,
        textBytes: full ? 16_384 : 4096,
      },
    ),
    spec(
      'duplicate-race',
      'two connections of one device submit every input at once, same input id',
      [],
      {
        clients: 1,
        twins: full ? 6 : 3,
      },
    ),
    spec(
      'stale-resume',
      'clients reconnect and resume from stale sequence numbers (sometimes 0)',
      ['proxy-cut'],
      {
        clients: 1,
        stale: full ? 6 : 3,
        faultPeriodMs: 500,
      },
    ),
    spec('fuzz', '100,000 hostile frames while honest clients work', [], { fuzzFrames: 100_000 }),
    spec(
      'compaction',
      `a retention of ${SMALL_RETENTION} events, so compaction and snapshots happen under kill -9 and cuts; stale resumes ask for compacted numbers`,
      ['kill9', 'proxy-cut'],
      { retentionEvents: SMALL_RETENTION, stale: 2, faultPeriodMs: 1200 },
    ),
    spec(
      'terminal',
      `real PTY sessions printing a steady stream of lines, typed into by every client, retention ${TERMINAL_RETENTION}, under cuts, stalls and a slow reader`,
      ['proxy-cut', 'proxy-stall', 'slow-reader'],
      {
        sessionKind: 'terminal',
        retentionEvents: TERMINAL_RETENTION,
        stale: 1,
        slow: 1,
        faultPeriodMs: 1200,
      },
    ),
    spec(
      'http-fuzz',
      `${full ? '20,000' : '2,000'} hostile HTTP requests (malformed URLs and % escapes, methods, headers, huge and truncated bodies), slow bodies and slowloris connections while honest clients work`,
      [],
      {
        http: {
          requests: full ? 20_000 : 2000,
          slowloris: full ? 50 : 20,
          slowBodies: full ? 10 : 4,
        },
      },
    ),
    spec(
      'all-faults',
      'every fault at once: kill -9, cuts, stalls, a slow reader, racing twins, stale resumes, a small retention and both fuzzers',
      ['kill9', 'proxy-cut', 'proxy-stall', 'slow-reader'],
      {
        twins: 2,
        stale: 2,
        slow: 1,
        retentionEvents: SMALL_RETENTION,
        fuzzFrames: full ? 100_000 : 20_000,
        http: { requests: full ? 10_000 : 1000, slowloris: 10, slowBodies: 2 },
        faultPeriodMs: 1500,
        deadlineMs: full ? 240_000 : 90_000,
      },
    ),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string', default: 'full' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.profile !== 'full' && values.profile !== 'ci') {
    process.stderr.write(`unknown profile '${values.profile}'\n\n${USAGE}\n`);
    process.exit(2);
  }
  let list = scenarios(values.profile === 'full');
  if (values.only) {
    const wanted = values.only.split(',');
    const unknown = wanted.filter((w) => !list.some((s) => s.name === w));
    if (unknown.length > 0) {
      process.stderr.write(`unknown scenario ${unknown.join(', ')}\n\n${USAGE}\n`);
      process.exit(2);
    }
    list = list.filter((s) => wanted.includes(s.name));
  } else if (values.profile === 'ci') {
    list = list.filter((s) => !FULL_ONLY.has(s.name));
  }
  let failed = 0;
  for (const spec of list) {
    process.stdout.write(`\n## ${spec.name}: ${spec.description}\n`);
    const outcome = await runScenario(spec);
    for (const line of outcome.lines) process.stdout.write(`  ${line}\n`);
    process.stdout.write(`  ${outcome.ok ? 'PASS' : 'FAIL'} (${outcome.seconds.toFixed(1)} s)\n`);
    if (!outcome.ok) failed++;
  }
  process.stdout.write(`\n${list.length - failed} of ${list.length} scenarios passed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
