import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpus } from 'node:os';
import { judgeLoad, type LoadSample } from './machine-load.js';
import { renderReport } from './report.js';
import type { ScenarioResult, SystemRun } from './scenarios/result.js';
import type { SystemName } from './drivers/connection.js';
import { evaluateTargets } from './targets.js';

function run(system: SystemName, p99: number, perSec: number): SystemRun {
  return {
    system,
    connections: 10,
    latency: { samples: 100, p50: p99 / 2, p99, p999: p99, max: p99 },
    saturation: {
      deliveriesPerSec: perSec,
      submissionsPerSec: perSec / 10,
      deliveries: perSec,
      serverCores: 1,
      cpuUsPerDelivery: 1,
      stats: {} as never,
      problems: [],
    },
    figures: {},
    problems: [],
    notes: [],
  };
}

const fanout: ScenarioResult = {
  name: 'fanout-1000x1',
  title: 'fan-out',
  description: 'd',
  runs: [
    run('baton', 10, 100_000),
    run('baton-full', 20, 50_000),
    run('socketio', 40, 20_000),
    run('ws', 5, 200_000),
    run('ws-naive', 30, 40_000),
  ],
};

test('ratios are against the fair floor of the same run, for every system', () => {
  const md = renderReport(
    { command: 'c', date: 'd', machine: 'm', profile: 'p', notes: [] },
    [fanout],
    [],
  );
  const row = (label: string) => md.split('\n').find((l) => l.startsWith(`| ${label}`)) ?? '';
  // baton: p99 10 ÷ floor 5 = 2.00×; 100k ÷ 200k = 0.50×.
  assert.match(row('baton, durability normal'), /\| 2\.00× \| 0\.50× \| ok \|$/);
  assert.match(row('baton, durability full'), /\| 4\.00× \| 0\.25× \| ok \|$/);
  // The naive raw ws is compared with the floor too, never used as it.
  assert.match(row('raw ws, naive'), /\| 6\.00× \| 0\.20× \| ok \|$/);
  assert.match(row('floor: raw ws'), /\| {2}\| {2}\| ok \|$/);
});

test("the warm-up's p99 has its own column and stays out of the measured one and the ratios", () => {
  const warm = run('baton', 10, 100_000);
  warm.warmupLatency = { samples: 50, p50: 7, p99: 31.5, p999: 40, max: 40 };
  const md = renderReport(
    { command: 'c', date: 'd', machine: 'm', profile: 'p', notes: [] },
    [{ ...fanout, runs: [warm, run('ws', 5, 200_000)] }],
    [],
  );
  const lines = md.split('\n');
  const header = lines.find((l) => l.startsWith('| system') && l.includes('warm-up p99 ms')) ?? '';
  const cells = (line: string) => line.split('|').map((c) => c.trim());
  const column = cells(header).indexOf('warm-up p99 ms');
  assert.ok(column > 0, header);
  const baton = cells(lines.find((l) => l.startsWith('| baton, durability normal')) ?? '');
  assert.equal(baton[column], '31.50');
  assert.equal(baton[cells(header).indexOf('p99 ms')], '10.00');
  // p99 ÷ floor is of the measured phase: 10 ÷ 5.
  assert.equal(baton[cells(header).indexOf('p99 ÷ floor')], '2.00×');
});

test('targets judge both durability modes against the floor, not the naive one', () => {
  const lines = evaluateTargets([fanout]);
  const within = lines.filter((l) => l.includes('within 1.25× of the raw ws floor'));
  assert.equal(within.length, 2);
  assert.ok(
    within.every((l) => l.startsWith('MISSED')),
    within.join('\n'),
  );
  assert.match(within[0] ?? '', /p99 2\.00×, deliveries\/s 0\.50×/);
});

test('a run is quiet only under the stated thresholds', () => {
  const cores = cpus().length;
  const at = (load1: number, machineTicks: number, ownTicks: number, atMs: number): LoadSample => ({
    load1,
    machineTicks,
    ownTicks,
    atMs,
  });
  // 100 s; the machine was busy 150 core-seconds, the benchmark 140: others 0.1 cores.
  assert.equal(judgeLoad(at(0, 0, 0, 0), at(3, 15_000, 14_000, 100_000)).quiet, true);
  // Others used 0.5 cores.
  const busy = judgeLoad(at(0, 0, 0, 0), at(3, 15_000, 10_000, 100_000));
  assert.equal(busy.quiet, false);
  assert.match(busy.note, /other processes used 0\.50 cores/);
  assert.match(busy.note, /NOT quiet/);
  // A busy start alone makes it not quiet.
  assert.equal(judgeLoad(at(cores, 0, 0, 0), at(0, 100, 100, 100_000)).quiet, false);
  // Without /proc the run is never called quiet.
  assert.equal(judgeLoad({ load1: 0, atMs: 0 }, { load1: 0, atMs: 100_000 }).quiet, false);
});

test('targets set appends per second on PostgreSQL beside SQLite, from the same run', () => {
  const seed: ScenarioResult = {
    name: 'seed-10x1',
    title: 'seed',
    description: 'd',
    runs: [run('baton', 1, 40_000), run('baton-pg', 2, 10_000)],
  };
  const line = evaluateTargets([seed]).find((l) => l.includes('appends per second'));
  assert.equal(
    line,
    'measured: appends per second at saturation in seed-10x1, PostgreSQL 1000 against SQLite 4000 (0.25×), one node each, same run',
  );
});
