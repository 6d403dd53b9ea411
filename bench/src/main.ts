import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, cpus, totalmem, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { medianRound } from './median-round.js';
import { BASELINE_SYSTEMS, SYSTEMS, comparedWith, type SystemName } from './drivers/connection.js';
import { judgeLoad, sampleLoad } from './machine-load.js';
import { keepMarkedBlocks } from './marked-blocks.js';
import { scenarios, type ProfileName } from './profile.js';
import { renderReport } from './report.js';
import { setHarnessOptions } from './scenarios/harness.js';
import { pinToCpu } from './cpu-placement.js';
import type { ScenarioResult } from './scenarios/result.js';
import { evaluateTargets } from './targets.js';
import { explainMissed } from './missed-rows.js';

const USAGE = `Usage: node bench/dist/main.js [--profile full|ci] [--only a,b] [--systems baton,baton-full,baton-pg,socketio,ws,ws-stored,ws-naive]
                                [--out FILE] [--cpu-prof DIR] [--strace DIR]
                                [--baseline DIR --systems baton-base,baton,...] [--repeat N] [--pin] [--nice-load N] [--batch-load]
  --profile   full (default): the published run, written to BENCHMARKS.md
              ci: a short run that fails only when an event is lost, duplicated or reordered
  --only      scenario names to run (seed-10x1, seed-100x10, fanout-1000x1, open-connections,
              reconnect-storm, catch-up, late-joiner, terminal-flood, many-nodes, relay-latency,
              client-memory)
  --out       where to write the Markdown (full default: BENCHMARKS.md at the repository root)
  --cpu-prof  write V8 CPU profiles of the baton server into DIR
  --strace    count the baton server's system calls with strace -c -f into DIR (slows it down)
  --baseline  a checkout of another version with its bench built: the systems baton-base and
              baton-full-base run its server, for an A/B of a change in one run
  --repeat    run every system N times, interleaved (a b a b …), so an A/B sees the same load
  --pin       the server under test alone on CPU 1, the bench and its load generators on CPU 0
              (taskset), an experiment on sharing the cores (docs/benchmarks.md, "A core of its own")
  --nice-load the load generators at niceness N (1–19), so the scheduler prefers the server: the
              same experiment the other way
  --batch-load the load generators under SCHED_BATCH (chrt), so that one woken by the server's
              write does not preempt it: the same experiment by the scheduling policy`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function openFileLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string', default: 'full' },
      only: { type: 'string' },
      systems: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
      strace: { type: 'string' },
      baseline: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      pin: { type: 'boolean', default: false },
      'nice-load': { type: 'string' },
      'batch-load': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const profile = values.profile as ProfileName;
  if (profile !== 'full' && profile !== 'ci') fail(`unknown profile '${values.profile}'`);
  const systems = (values.systems?.split(',') ?? SYSTEMS) as SystemName[];
  for (const s of systems) {
    if (!SYSTEMS.includes(s) && !BASELINE_SYSTEMS.includes(s)) fail(`unknown system '${s}'`);
    if (BASELINE_SYSTEMS.includes(s) && !values.baseline) fail(`${s} needs --baseline DIR`);
  }
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100)
    fail(`--repeat must be a whole number from 1 to 100, not '${values.repeat}'`);
  const niceLoad = Number(values['nice-load'] ?? 0);
  if (!Number.isInteger(niceLoad) || niceLoad < 0 || niceLoad > 19)
    fail(`--nice-load must be a whole number from 0 to 19, not '${values['nice-load']}'`);
  if (values.baseline && !existsSync(join(values.baseline, 'bench/dist/servers/baton-server.js')))
    fail(`--baseline ${values.baseline} has no bench/dist/servers/baton-server.js: build it there`);
  setHarnessOptions({
    ...(values['cpu-prof'] ? { cpuProfileDir: values['cpu-prof'] } : {}),
    ...(values.strace ? { straceDir: values.strace } : {}),
    ...(values.baseline ? { baselineDir: values.baseline } : {}),
    ...(values.pin ? { pinServer: true } : {}),
    ...(niceLoad > 0 ? { niceLoad } : {}),
    ...(values['batch-load'] ? { batchLoad: true } : {}),
  });

  const notes: string[] = [];
  if (values.pin) {
    if (availableParallelism() < 2) fail('--pin needs at least 2 CPUs');
    // The bench first, so that every load generator it forks inherits CPU 0.
    pinToCpu(process.pid, 0);
    notes.push(
      'Pinned (`--pin`): each server under test ran alone on CPU 1, the bench and its load generators on CPU 0.',
    );
  }
  if (values['batch-load'])
    notes.push(
      'Load generators under SCHED_BATCH (`--batch-load`): a generator woken by the server did not preempt it.',
    );
  if (niceLoad > 0)
    notes.push(
      `Load generators at niceness ${niceLoad} (\`--nice-load\`): the scheduler preferred the server under test whenever it was runnable.`,
    );
  // The server holds every connection and each load generator a share of them; keep a margin
  // for files, pipes and the database.
  const limit = openFileLimit();
  const idle = Math.max(0, Math.min(9000, limit - 1000 - 500));
  if (profile === 'full' && idle < 9000) {
    notes.push(
      `Open-file limit is ${limit}: the open-connections scenario was scaled down to ${idle} idle connections (raise it with \`ulimit -n 20000\`).`,
    );
  }
  let list = scenarios(profile, idle);
  if (values.only) {
    const wanted = values.only.split(',');
    for (const w of wanted) if (!list.some((s) => s.name === w)) fail(`unknown scenario '${w}'`);
    list = list.filter((s) => wanted.includes(s.name));
  }

  const results: ScenarioResult[] = [];
  const started = Date.now();
  // The machine may be shared: the load around the run says how much to trust absolute figures.
  const loadBefore = sampleLoad();
  for (const scenario of list) {
    const result: ScenarioResult = { ...scenario, runs: [] };
    const chosen = systems.filter((s) => scenario.systems.includes(comparedWith(s)));
    // Interleaved (a b a b), so that a change in the machine's load hits both sides of an A/B.
    // --repeat shows every round (an A/B); a scenario's own rounds publish the median round.
    const rounds = repeat > 1 ? repeat : (scenario.rounds ?? 1);
    const order = Array.from({ length: rounds }, (_, i) =>
      chosen.map((system) => ({ system, repetition: i + 1 })),
    ).flat();
    for (const { system, repetition } of order) {
      const t = Date.now();
      process.stderr.write(`${scenario.name} / ${system}${rounds > 1 ? ` #${repetition}` : ''} … `);
      try {
        const run = await scenario.run(system);
        if (rounds > 1) run.repetition = repetition;
        result.runs.push(run);
        const verdict = run.problems.length > 0 ? `FAILED: ${run.problems.join('; ')}` : 'ok';
        process.stderr.write(`${verdict} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
      } catch (e) {
        const message = (e as Error).message.split('\n')[0] ?? 'error';
        result.runs.push({
          system,
          connections: 0,
          figures: {},
          problems: [message],
          notes: [],
          ...(rounds > 1 ? { repetition } : {}),
        });
        process.stderr.write(`FAILED: ${message}\n`);
      }
    }
    if (repeat === 1 && rounds > 1) {
      result.runs = chosen.map((system) =>
        medianRound(result.runs.filter((r) => r.system === system)),
      );
    }
    results.push(result);
  }

  const cpu = cpus();
  const load = judgeLoad(loadBefore, sampleLoad());
  process.stderr.write(`${load.note}\n`);
  const report = renderReport(
    {
      command: `node bench/dist/main.js ${process.argv.slice(2).join(' ')}`.trim(),
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()}, Node ${process.version}`,
      profile: `${profile} (took ${((Date.now() - started) / 1000).toFixed(0)} s)`,
      notes: [...notes, load.note],
    },
    results,
    [
      ...(load.quiet
        ? []
        : [
            'The run was not quiet (see the load above): the verdicts below are indicative only; publish a quiet run.',
          ]),
      ...evaluateTargets(results),
    ],
    explainMissed(results, { pinned: values.pin === true }),
  );
  const out =
    values.out ??
    (profile === 'full'
      ? fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url))
      : undefined);
  if (out) {
    // Other tools' sections (the browser benchmark's) live in the same file between markers:
    // this rewrite keeps them as they were.
    writeFileSync(
      out,
      existsSync(out) ? keepMarkedBlocks(readFileSync(out, 'utf8'), report) : report,
    );
    process.stderr.write(`wrote ${out}\n`);
  } else {
    process.stdout.write(report);
  }
  const failed = results.some((r) => r.runs.some((x) => x.problems.length > 0));
  process.exitCode = failed ? 1 : 0;
}

await main();
