import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SystemName } from './drivers/connection.js';
import { explainMissed } from './missed-rows.js';
import type { ScenarioResult, SystemRun } from './scenarios/result.js';

function seedRun(system: SystemName, p99: number, cpuUs: number, waitMs: number): SystemRun {
  return {
    system,
    connections: 10,
    latency: { samples: 100, p50: p99 / 2, p99, p999: p99, max: p99 },
    saturation: {
      deliveriesPerSec: 1000,
      submissionsPerSec: 100,
      deliveries: 1000,
      serverCores: 1,
      cpuUsPerDelivery: cpuUs,
      stats: {} as never,
      problems: [],
    },
    profile: { runQueueWaitMs: waitMs } as never,
    figures: {},
    problems: [],
    notes: [],
  };
}

const resumeRun = (system: SystemName, ms: number): SystemRun => ({
  system,
  connections: 1,
  figures: { 'last caught up (ms)': String(ms) },
  problems: [],
  notes: [],
});

const seed = (floorP99: number, batonP99: number): ScenarioResult => ({
  name: 'seed-10x1',
  title: 't',
  description: 'd',
  runs: [
    seedRun('baton', batonP99, 20, 400),
    seedRun('baton-full', batonP99, 21, 410),
    seedRun('socketio', 7, 18, 300),
    seedRun('ws', floorP99, 8, 200),
  ],
});

test('a missed row is explained with the same run’s floor and counters', () => {
  const lines = explainMissed([seed(6.5, 9)]);
  // The floor over 5 ms: the absolute target is out of reach here, said once per scenario.
  assert.equal(lines.filter((l) => l.includes('p99 under 5 ms: not possible')).length, 1);
  assert.match(lines[0] ?? '', /floor, raw ws that stores nothing, has a p99 of 6\.50 ms/);
  assert.match(lines[0] ?? '', /waited 200 ms for a core/);
  // Both durability modes missed the relative target, each with its own CPU figure.
  const relative = lines.filter((l) => l.includes('1.25× the floor'));
  assert.equal(relative.length, 2);
  assert.match(relative[0] ?? '', /20\.00 µs .* floor's 8\.00 and Socket\.IO's 18\.00/);
  assert.match(relative[1] ?? '', /21\.00 µs/);
  assert.match(relative[0] ?? '', /devices on the same 2 cores/);
  // Pinned (`--pin`), the server had a core to itself: its wait is not the devices'.
  const pinned = explainMissed([seed(6.5, 9)], { pinned: true }).filter((l) =>
    l.includes('1.25× the floor'),
  );
  assert.match(pinned[0] ?? '', /CPU 1 to itself/);
  assert.doesNotMatch(pinned[0] ?? '', /devices on the same 2 cores/);
});

test('the stored floor of the same run says whether storing first is what misses the row', () => {
  const withStored = (storedP99: number): ScenarioResult => {
    const s = seed(3.5, 9);
    return { ...s, runs: [...s.runs, seedRun('ws-stored', storedP99, 9, 210)] };
  };
  // Below Socket.IO's 7 ms: the rest of baton's 9 ms is its own work.
  const own = explainMissed([withStored(4)]).filter((l) => l.includes('1.25× the floor'));
  assert.equal(own.length, 2);
  // It stores with synchronous=NORMAL: it bounds durability normal, not full.
  assert.doesNotMatch(own[1] ?? '', /stored floor/);
  assert.match(own[0] ?? '', /stored floor .* p99 of 4\.00 ms .* 9\.00 µs of CPU per delivery/);
  assert.match(own[0] ?? '', /5\.00 ms of baton's p99 is its own work/);
  // Above Socket.IO's: no server that stores first meets that part of the row here.
  const slow = explainMissed([withStored(8)]).filter((l) => l.includes('1.25× the floor'));
  assert.match(
    slow[0] ?? '',
    /slower than Socket\.IO's 7\.00 ms here, so that part of the row is not possible/,
  );
  // Without a stored floor in the run, nothing is said of it.
  assert.doesNotMatch(explainMissed([seed(3.5, 9)]).join('\n'), /stored floor/);
});

test('a met row is not explained', () => {
  // 4 ms: under 5, under Socket.IO's 7, and 1.14× a 3.5 ms floor.
  assert.deepEqual(explainMissed([seed(3.5, 4)]), []);
});

test('a resume the floor itself cannot finish in time is called impossible here', () => {
  const storm: ScenarioResult = {
    name: 'reconnect-storm',
    title: 't',
    description: 'd',
    runs: [resumeRun('baton', 1400), resumeRun('baton-full', 900), resumeRun('ws', 1100)],
  };
  const catchUp: ScenarioResult = {
    name: 'catch-up',
    title: 't',
    description: 'd',
    runs: [resumeRun('baton', 115), resumeRun('baton-full', 90), resumeRun('ws', 76)],
  };
  const lines = explainMissed([storm, catchUp]);
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /not possible on this machine.*baton, durability normal.* 1400 ms/);
  assert.doesNotMatch(lines[0] ?? '', /durability full/);
  assert.match(lines[0] ?? '', /needs 1100 ms/);
  // 115 ms against a 76 ms floor: 3.9 µs per event beyond the floor, where 2.4 µs would do.
  assert.match(
    lines[1] ?? '',
    /Catch-up .*baton, durability normal.*missed.* 76 ms in the same run/,
  );
  assert.match(lines[1] ?? '', /3\.9 µs more per event; under 100 ms needs at most 2\.4 µs more/);
  assert.match(lines[1] ?? '', /1\.6× less time per event/);
});

/** The latency phase's server CPU for each system, over baton's commits of 10 events each. */
function withPhaseCpu(s: ScenarioResult, cpu: Partial<Record<SystemName, number>>): ScenarioResult {
  return {
    ...s,
    runs: s.runs.map((r) => ({
      ...r,
      profile: {
        ...r.profile,
        cpuUs: cpu[r.system] ?? 0,
        commits: 10,
        committedEvents: 100,
      } as never,
    })),
  };
}

/**
 * The lines of the seed scenario (p99 6 ms for the floor, 9 for baton) that compare with the floor,
 * durability normal then full, for a latency phase of 100 inputs in which baton's server used
 * `baton` µs of CPU (`batonFull` in durability full), Socket.IO's 20,000 and the floor's 10,000.
 */
function budgetLines(baton: number, batonFull: number): string[] {
  const cpu: Partial<Record<SystemName, number>> = {
    baton,
    'baton-full': batonFull,
    socketio: 20_000,
    ws: 10_000,
  };
  return explainMissed([withPhaseCpu(seed(6, 9), cpu)]).filter((l) =>
    l.includes('1.25× the floor'),
  );
}

test('the tail is turned into a CPU budget per input from the latency phase', () => {
  // 100 samples: 300, 200 and 100 µs of CPU per input; baton's commits held 10 events each.
  const lines = budgetLines(30_000, 30_000);
  assert.equal(lines.length, 2);
  const line = lines[0] ?? '';
  assert.match(
    line,
    /spent 300 µs of CPU per input against the floor's 100 µs and Socket\.IO's 200 µs/,
  );
  // Burst 10 × (300 − 200) µs = 1 ms against Socket.IO, 10 × 200 µs = 2 ms against the floor.
  assert.match(line, /about 1\.00 ms of tail against Socket\.IO \(measured 2\.00 ms\)/);
  assert.match(line, /2\.00 ms against the floor \(measured 3\.00 ms\)/);
  // min(Socket.IO's 200, floor 100 + 0.25 × 6 ms / 10 = 250) µs: a third less than 300.
  assert.match(line, /at most about 200 µs per input, 33% less than now/);
  // Without the phase's CPU there is no estimate rather than a wrong one.
  assert.doesNotMatch(explainMissed([seed(6, 9)]).join('\n'), /per input against/);
  // baton at 1.5× Socket.IO's CPU per input: the budget explains the row, no caveat.
  assert.doesNotMatch(line, /does not explain/);
  assert.match(line, /waited 400 ms for a core against the floor's 200 ms and Socket\.IO's 300 ms/);
});

test('as much CPU per input as Socket.IO and a longer tail: the budget says it does not explain it', () => {
  // 210 µs against Socket.IO's 200: within a tenth.
  const [normal, full] = budgetLines(21_000, 23_000);
  assert.match(
    normal ?? '',
    /within a tenth of Socket\.IO's .* p99 is 2\.00 ms longer, so the amount of work does not explain this row: its server waited 400 ms for a core against Socket\.IO's 300 ms\./,
  );
  // 230 µs is more than a tenth above 200: the budget stands alone.
  assert.doesNotMatch(full ?? '', /does not explain/);
});

test('less CPU per input than Socket.IO: the estimate is no tail against it, and a budget already met', () => {
  // 190 µs against Socket.IO's 200 and the floor's 100.
  const [normal] = budgetLines(19_000, 19_000);
  assert.match(normal ?? '', /makes that no tail against Socket\.IO \(measured 2\.00 ms\)/);
  assert.match(normal ?? '', /and 0\.90 ms against the floor/);
  assert.match(normal ?? '', /at most about 200 µs per input, and baton spends no more already\./);
  assert.doesNotMatch(normal ?? '', /-\d+\.\d+ ms|\b0% less/);
});

/** A fan-out row: 100 inputs to 1,000 devices while the latency was measured. */
function fanRun(
  system: SystemName,
  p99: number,
  {
    perSec,
    cpuMs,
    waitMs,
    rounds,
    cores = 1,
  }: { perSec: number; cpuMs: number; waitMs: number; rounds?: number[]; cores?: number },
): SystemRun {
  const run = seedRun(system, p99, 1_000_000 / perSec, waitMs);
  return {
    ...run,
    connections: 1000,
    saturation: { ...run.saturation!, deliveriesPerSec: perSec, serverCores: cores },
    profile: { runQueueWaitMs: waitMs, cpuUs: cpuMs * 100_000 } as never,
    ...(rounds ? { roundHeadlines: rounds } : {}),
  };
}

const fanout = (runs: SystemRun[]): ScenarioResult => ({
  name: 'fanout-1000x1',
  title: 't',
  description: 'd',
  runs,
});

test('a fan-out row missed by more CPU per input than the row leaves room for', () => {
  // The floor 20 ms: 1.25× leaves 5 ms above it. baton spends 16 ms of CPU per input against
  // the floor's 10, so 6 ms more: it needs 1 − 15/16 of its CPU per input less, about 6%.
  const lines = explainMissed([
    fanout([
      fanRun('baton', 26, { perSec: 500_000, cpuMs: 16, waitMs: 700, rounds: [27, 26, 24] }),
      fanRun('ws', 20, { perSec: 500_000, cpuMs: 10, waitMs: 300, rounds: [19, 20, 21] }),
    ]),
  ]);
  assert.equal(lines.length, 1, 'baton-full and Socket.IO did not run');
  const line = lines[0] ?? '';
  assert.match(line, /^\*\*fanout-1000x1, within 1\.25× of the floor, baton, durability normal/);
  assert.match(line, /p99 26\.00 ms against the floor's 20\.00 ms, 1\.30×/);
  assert.match(line, /all 1,000 devices, and baton's server spent 16\.00 ms of CPU on each/);
  assert.match(line, /6\.00 ms more, where the row leaves 5\.00 ms above the floor's p99/);
  assert.match(line, /about 6% less CPU per input/);
  // 24 ms ≤ 25 ms: one round would have met it.
  assert.match(
    line,
    /24\.00 ms and the floor's 19\.00 \/ 20\.00 \/ 21\.00 ms: 1 of baton's 3 rounds came within 1\.25× of the floor's published p99 of 20\.00 ms \(25\.00 ms\)/,
  );
  assert.match(line, /within the spread of rounds/);
  // Deliveries a second were met: nothing said of them.
  assert.doesNotMatch(line, /per delivery/);
});

test('a fan-out row missed with work that fits the room: the wait for each core is named', () => {
  // 13 ms of CPU against the floor's 10: 3 ms more, within the 5 ms the row leaves.
  const [line] = explainMissed([
    fanout([
      fanRun('baton', 26, { perSec: 500_000, cpuMs: 13, waitMs: 700 }),
      fanRun('ws', 20, { perSec: 500_000, cpuMs: 10, waitMs: 300 }),
    ]),
  ]);
  assert.match(
    line ?? '',
    /3\.00 ms more, within the 5\.00 ms the row leaves above the floor's p99/,
  );
  assert.match(
    line ?? '',
    /does not explain the miss\. baton's server waited 700 ms for a core against the floor's 300 ms\./,
  );
  // No rounds were kept (one round a system): no spread is claimed.
  assert.doesNotMatch(line ?? '', /rounds/);
});

test('a fan-out row behind Socket.IO: with no more work the wait is named, with more the CPU it would take', () => {
  const lines = explainMissed([
    fanout([
      fanRun('baton', 28, { perSec: 550_000, cpuMs: 13, waitMs: 600, rounds: [28, 29, 30] }),
      fanRun('baton-full', 29, { perSec: 540_000, cpuMs: 14, waitMs: 650 }),
      fanRun('socketio', 27.9, {
        perSec: 90_000,
        cpuMs: 13.1,
        waitMs: 400,
        rounds: [27, 27.9, 31],
      }),
      fanRun('ws', 25, { perSec: 560_000, cpuMs: 10, waitMs: 300 }),
    ]),
  ]);
  // Both within 1.25× of the floor in both figures: only the Socket.IO rows are explained.
  assert.equal(lines.length, 2);
  const [normal, full] = lines;
  assert.match(normal ?? '', /faster than Socket\.IO, baton, durability normal.*: missed/);
  assert.match(normal ?? '', /no more than Socket\.IO's, so the amount of work does not explain/);
  assert.match(normal ?? '', /waited 600 ms for a core against Socket\.IO's 400 ms/);
  assert.match(
    normal ?? '',
    /none of baton's 3 rounds came under Socket\.IO's published p99 of 27\.90 ms\./,
  );
  // 14 ms against 13.1: the row leaves nothing above Socket.IO, so 1 − 13.1/14, about 6%.
  assert.match(full ?? '', /0\.90 ms more, where the row leaves nothing above Socket\.IO's p99/);
  assert.match(full ?? '', /about 6% less CPU per input/);
});

test('fewer deliveries a second than the row: the CPU per delivery it would take, or the share of the CPU', () => {
  const [line] = explainMissed([
    fanout([
      fanRun('baton', 20, { perSec: 300_000, cpuMs: 10, waitMs: 500 }),
      fanRun('ws', 20, { perSec: 500_000, cpuMs: 10, waitMs: 300 }),
    ]),
  ]);
  assert.match(line ?? '', /300,000 against 500,000 deliveries a second, 0\.60×/);
  // 3.33 µs per delivery against 2.00: within 1.25× needs 2.50, a quarter less.
  assert.match(line ?? '', /3\.33 µs of CPU per delivery against the floor's 2\.00/);
  assert.match(line ?? '', /about 25% less CPU per delivery/);
  // The p99 was met: no CPU per input, no rounds.
  assert.doesNotMatch(line ?? '', /per input|rounds/);
  // As little CPU per delivery as the floor, on a smaller share of the CPU: said so, no "0% less".
  const cheap = fanRun('baton', 20, { perSec: 300_000, cpuMs: 10, waitMs: 500, cores: 0.5 });
  const [share] = explainMissed([
    fanout([
      { ...cheap, saturation: { ...cheap.saturation!, cpuUsPerDelivery: 2 } },
      fanRun('ws', 20, { perSec: 500_000, cpuMs: 10, waitMs: 300 }),
    ]),
  ]);
  assert.match(
    share ?? '',
    /missed by the share of the CPU the server got \(0\.50 cores against 1\.00\)/,
  );
  assert.doesNotMatch(share ?? '', /% less/);
});

test('a fan-out row with a figure missing says which, and explains no comparison', () => {
  const floor = fanRun('ws', 20, { perSec: 500_000, cpuMs: 10, waitMs: 300 });
  const [line] = explainMissed([
    fanout([
      fanRun('baton', 26, { perSec: 500_000, cpuMs: 16, waitMs: 700 }),
      { ...floor, latency: { ...floor.latency!, p99: NaN } },
    ]),
  ]);
  assert.match(line ?? '', /: missed\*\*: the floor's p99 did not come out of this run/);
  assert.doesNotMatch(line ?? '', /NaN|does not explain/);
});
