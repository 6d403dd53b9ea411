import type { SystemName } from './drivers/connection.js';
import { LABEL, cpuPerInputUs, eventsPerCommit, int } from './report.js';
import type { ScenarioResult, SystemRun } from './scenarios/result.js';
import { FAN_OUT_ROWS, type FanOutRow, meetsFanOut } from './targets.js';

/**
 * For each target of issue 17 that baton missed in this run, why, in figures of the same run,
 * and what it would take. The explanations are computed, not written by hand, so that they can
 * never describe another run than the one above them: the floor (raw `ws` that stores nothing)
 * says what the machine itself allows, and the server's own counters (CPU per delivery, time
 * spent waiting for a core) say where baton's extra time goes.
 */
export function explainMissed(
  results: ScenarioResult[],
  options: { pinned?: boolean } = {},
): string[] {
  const lines: string[] = [];
  for (const name of ['seed-10x1', 'seed-100x10'])
    lines.push(...seedTail(results, name, options.pinned === true));
  lines.push(...fanOut(results));
  lines.push(
    ...resume(results, 'reconnect-storm', 1000, 'Reconnect storm of 1,000 devices', {
      count: 1000,
      name: 'device',
    }),
  );
  lines.push(
    ...resume(results, 'catch-up', 100, 'Catch-up of 10,000 missed events', {
      count: 10_000,
      name: 'event',
    }),
  );
  return lines;
}

const BATONS: readonly SystemName[] = ['baton', 'baton-full'];

function run(results: ScenarioResult[], scenario: string, system: SystemName) {
  return results.find((r) => r.name === scenario)?.runs.find((r) => r.system === system);
}

function lastCaughtUp(r: SystemRun | undefined): number | undefined {
  const v = Number(r?.figures['last caught up (ms)']);
  return r && Number.isFinite(v) ? v : undefined;
}

const ms = (v: number) => `${v.toFixed(2)} ms`;
const wait = (r: SystemRun) =>
  r.profile?.runQueueWaitMs === undefined ? '–' : `${Math.round(r.profile.runQueueWaitMs)} ms`;

/**
 * The seed rows: p99 under 5 ms, and at most Socket.IO's and 1.25× the floor. `pinned`: the run
 * gave each server CPU 1 alone (`--pin`), so its wait for a core was behind its own threads.
 */
function seedTail(results: ScenarioResult[], scenario: string, pinned: boolean): string[] {
  const floor = run(results, scenario, 'ws');
  const stored = run(results, scenario, 'ws-stored');
  const io = run(results, scenario, 'socketio');
  const fp = floor?.latency?.p99;
  if (!floor || fp === undefined) return [];
  const lines: string[] = [];
  const missedAbsolute = BATONS.some((s) => (run(results, scenario, s)?.latency?.p99 ?? 0) >= 5);
  if (missedAbsolute) {
    lines.push(
      fp >= 5
        ? `**${scenario}, p99 under 5 ms: not possible on this machine.** The floor, raw ws that stores nothing, has a p99 of ${ms(fp)} in the same run; ` +
            `its server waited ${wait(floor)} for a core while the load generators' devices ran on the same 2 cores. ` +
            `No server meets 5 ms where the floor does not; it would take the load generators on another machine, or more cores.`
        : `**${scenario}, p99 under 5 ms:** the floor's p99 is ${ms(fp)}, so the margin for storing, acknowledging and fanning out is ${ms(5 - fp)}; the next line says where baton's time goes.`,
    );
  }
  for (const system of BATONS) {
    const b = run(results, scenario, system);
    const bp = b?.latency?.p99;
    const ip = io?.latency?.p99;
    if (!b || bp === undefined) continue;
    if (bp <= 1.25 * fp && (ip === undefined || bp <= ip)) continue;
    const cpu = (r: SystemRun | undefined) => r?.saturation?.cpuUsPerDelivery;
    const parts = [
      `**${scenario}, p99 at most Socket.IO's and 1.25× the floor, ${LABEL[system]}: missed** (${ms(bp)}, ${(bp / fp).toFixed(2)}× the floor${ip === undefined ? '' : `; Socket.IO ${ms(ip)}`}).`,
      `baton commits every input to its log before it acknowledges and fans it out (Socket.IO keeps its recovery buffer in memory, the floor stores nothing).`,
    ];
    const bc = cpu(b);
    const fc = cpu(floor);
    const ic = cpu(io);
    if (bc !== undefined && fc !== undefined)
      parts.push(
        `At saturation that costs ${bc.toFixed(2)} µs of server CPU per delivery against the floor's ${fc.toFixed(2)}${ic === undefined ? '' : ` and Socket.IO's ${ic.toFixed(2)}`}, ` +
          `and while the latency was measured baton's server waited ${wait(b)} for a core against the floor's ${wait(floor)}${io ? ` and Socket.IO's ${wait(io)}` : ''}: ` +
          (pinned
            ? `with CPU 1 to itself (\`--pin\`), the server waited behind its own other threads, which unpinned can use the other core, and the extra CPU became queueing in the tail.`
            : `with the devices on the same 2 cores, the extra CPU becomes queueing in the tail.`),
      );
    // The stored floor runs with synchronous=NORMAL: it bounds durability normal only.
    if (system === 'baton' && stored) parts.push(...storedFloorLine(scenario, b, stored, ip));
    parts.push(...perInputBudget(b, io, floor));
    parts.push(
      `What it would take: less CPU per input on the event loop (the socket writes, which the floor makes too, are the largest part; the commit, the frame's validation and the payload's digest are each a few percent; docs/benchmarks.md, "Where the time goes" and "Input ids in time order"), and more than the amount of work or the wait for a core: with as much CPU per input as Socket.IO, and with the devices kept from preempting the server (\`--batch-load\`) as short a wait for a core, baton's tail has stayed longer than Socket.IO's and its median shorter, which points at when a commit's deliveries reach the devices rather than at how much the server does (docs/benchmarks.md, "As much CPU as Socket.IO, a longer wait for a core" and "The devices' wakeups"); or the devices on other machines, which this one cannot stand in for: neither one of its two cores for the server alone (\`--pin\`), nor the devices at a lower priority (\`--nice-load\`), nor devices that cannot preempt the server (\`--batch-load\`) shortened baton's tail, since the devices' own time is in every latency (docs/benchmarks.md, "A core of its own").`,
    );
    lines.push(parts.join(' '));
  }
  return lines;
}

/**
 * The tail in CPU per input. The load generators bring their submitters up to rate in bursts, so
 * inputs arrive about a commit's worth at a time (baton's events per commit measure it), and the
 * last input of a burst waits for every one before it on the server's single event loop: a
 * server's p99 is roughly the floor's plus the burst times its extra CPU per input. This turns
 * the row into a budget per input. It is an estimate (it leaves out what the devices' own
 * processes add) and says so, beside the measured gap it estimates.
 */
function perInputBudget(b: SystemRun, io: SystemRun | undefined, floor: SystemRun): string[] {
  const x = cpuPerInputUs(b);
  const z = cpuPerInputUs(floor);
  const y = cpuPerInputUs(io);
  const burst = eventsPerCommit(b);
  const bp = b.latency?.p99;
  const fp = floor.latency?.p99;
  if (x === undefined || z === undefined || !burst || bp === undefined || fp === undefined)
    return [];
  const us = (v: number) => `${Math.round(v)} µs`;
  const ip = io?.latency?.p99;
  // The tail a burst makes of baton's extra CPU against a server spending `other` per input; a
  // server that spends less than the other is estimated none, not a negative one.
  const extra = (other: number) => (x > other ? ms((burst * (x - other)) / 1000) : undefined);
  const tail = (other: number) => {
    const e = extra(other);
    return e === undefined ? 'no tail' : `about ${e} of tail`;
  };
  const vsIo =
    y !== undefined && ip !== undefined
      ? ` and Socket.IO's ${us(y)}; a burst of inputs (about ${burst.toFixed(1)}, baton's events per commit) makes that ${tail(y)} against Socket.IO (measured ${ms(bp - ip)}) and ${extra(z) ?? 'none'} against the floor (measured ${ms(bp - fp)})`
      : `; a burst of inputs (about ${burst.toFixed(1)}, baton's events per commit) makes that ${tail(z)} against the floor (measured ${ms(bp - fp)})`;
  // p99 ≈ floor + burst × (x − z) ≤ 1.25 × floor  ⇔  x ≤ z + 0.25 × floor / burst.
  const budgets = [z + (0.25 * fp * 1000) / burst];
  if (y !== undefined) budgets.push(y);
  const budget = Math.min(...budgets);
  return [
    `While the latency was measured baton's server spent ${us(x)} of CPU per input against the floor's ${us(z)}${vsIo}.` +
      ` By that estimate the row needs at most about ${us(budget)} per input, ` +
      (budget < x
        ? `${Math.round((1 - budget / x) * 100)}% less than now.`
        : 'and baton spends no more already.') +
      sameCpuLongerWait(b, io, { x, y, bp, ip }),
  ];
}

/**
 * The budget's blind spot: a run where baton spends no more CPU per input than Socket.IO (within
 * a tenth) and still has the longer tail. There the amount of work does not explain the gap, and
 * the line says so, with each server's wait for a core beside it, rather than a budget baton
 * already meets.
 */
function sameCpuLongerWait(
  b: SystemRun,
  io: SystemRun | undefined,
  { x, y, bp, ip }: { x: number; y: number | undefined; bp: number; ip: number | undefined },
): string {
  if (!io || y === undefined || ip === undefined) return '';
  if (x > 1.1 * y || bp <= ip) return '';
  return (
    ` Here baton's CPU per input is within a tenth of Socket.IO's (or below it), yet its p99 is ${ms(bp - ip)} longer, so the amount of work does not explain this row:` +
    ` its server waited ${wait(b)} for a core against Socket.IO's ${wait(io)}.`
  );
}

/**
 * What storing before delivery costs by itself, from the stored floor of the same run (the floor
 * committing every frame to SQLite before it sends it): whether a server that stores first can
 * meet Socket.IO's tail on this machine at all, and how much of baton's tail is its own work.
 */
function storedFloorLine(
  scenario: string,
  b: SystemRun,
  stored: SystemRun,
  ip: number | undefined,
): string[] {
  const bp = b.latency?.p99;
  const sp = stored.latency?.p99;
  if (bp === undefined || sp === undefined) return [];
  const cpu = (r: SystemRun) => r.saturation?.cpuUsPerDelivery;
  const sc = cpu(stored);
  const bc = cpu(b);
  const perDelivery =
    sc !== undefined && bc !== undefined
      ? ` and ${sc.toFixed(2)} µs of CPU per delivery at saturation against baton's ${bc.toFixed(2)}`
      : '';
  const head = `The stored floor (the floor committing each loop iteration's frames to SQLite before it sends them, synchronous=NORMAL as this row, with no dedupe) has a p99 of ${ms(sp)} in ${scenario}${perDelivery}:`;
  if (ip !== undefined && sp > ip)
    return [
      `${head} even the least a server that stores before it delivers must do is slower than Socket.IO's ${ms(ip)} here, so that part of the row is not possible on this machine for a durable server.`,
    ];
  return [
    `${head} storing first is not what stands between baton and the row, so ${ms(Math.max(0, bp - sp))} of baton's p99 is its own work per input beyond the commit (validation, the payload's digest, the input's key, presence, acknowledgements).`,
  ];
}

/**
 * The fan-out rows: many devices on one session within 1.25× of the floor, and faster than
 * Socket.IO, each in p99 and in deliveries a second. A commit there goes to every device, so one
 * input's latency is the writes to all their sockets and the devices reading them on the same two
 * cores. The floor and Socket.IO make the same writes; what a server adds to them shows in its CPU
 * per input (one input, every device) while the latency was measured, which is set here against
 * the room the row leaves above the other system's p99.
 */
function fanOut(results: ScenarioResult[]): string[] {
  const scenario = results.find((r) => r.name.startsWith('fanout-'));
  if (!scenario) return [];
  const of = (system: SystemName) => scenario.runs.find((r) => r.system === system);
  const lines: string[] = [];
  for (const system of BATONS) {
    const b = of(system);
    // A baton run that did not complete has its own line among the targets.
    if (!b?.latency || !b.saturation) continue;
    for (const row of FAN_OUT_ROWS) {
      const other = of(row.system);
      const line = other ? fanOutRow(scenario.name, system, b, other, row) : undefined;
      if (line) lines.push(line);
    }
  }
  return lines;
}

const percent = (share: number) =>
  share < 0.01 ? 'under 1%' : `about ${Math.round(share * 100)}%`;

function fanOutRow(
  scenario: string,
  system: SystemName,
  b: SystemRun,
  other: SystemRun,
  row: FanOutRow,
): string | undefined {
  const { title, other: name } = row;
  const whose = `${name}'s`;
  const bp = b.latency?.p99 ?? NaN;
  const op = other.latency?.p99 ?? NaN;
  const bt = b.saturation?.deliveriesPerSec ?? NaN;
  const ot = other.saturation?.deliveriesPerSec ?? NaN;
  const head = `**${scenario}, ${title}, ${LABEL[system]}: missed**`;
  // targets.ts calls the row missed when a figure is absent (its comparisons with NaN are false):
  // say which one, rather than explain a comparison that was never made.
  const absent = [
    ...(Number.isFinite(bp) ? [] : ["baton's p99"]),
    ...(Number.isFinite(bt) ? [] : ["baton's deliveries a second"]),
    ...(Number.isFinite(op) ? [] : [`${whose} p99`]),
    ...(Number.isFinite(ot) ? [] : [`${whose} deliveries a second`]),
  ];
  if (absent.length > 0)
    return `${head}: ${absent.join(' and ')} did not come out of this run (see its row), so the row could not be judged.`;
  const tailMet = meetsFanOut(bp, op, row, true);
  const rateMet = meetsFanOut(bt, ot, row, false);
  if (tailMet && rateMet) return;
  const parts = [
    `${head} (p99 ${ms(bp)} against ${whose} ${ms(op)}, ${(bp / op).toFixed(2)}×; ` +
      `${int(bt)} against ${int(ot)} deliveries a second, ${(bt / ot).toFixed(2)}×).`,
  ];
  if (!tailMet) {
    const x = cpuPerInputUs(b);
    const z = cpuPerInputUs(other);
    // The room the row leaves above the other's p99; none when baton must be ahead of it.
    const room = (row.ratio - 1) * op;
    if (x !== undefined && z !== undefined) {
      const extra = (x - z) / 1000;
      const spent = `While the latency was measured each input went to all ${int(b.connections)} devices, and baton's server spent ${ms(x / 1000)} of CPU on each against ${whose} ${ms(z / 1000)}`;
      parts.push(
        extra > room
          ? `${spent}: ${ms(extra)} more, where the row leaves ${room > 0 ? ms(room) : 'nothing'} above ${whose} p99, so by that measure it needs ${percent(1 - (z + room * 1000) / x)} less CPU per input.`
          : `${spent}: ${extra >= 0.005 ? `${ms(extra)} more, within the ${ms(room)} the row leaves above ${whose} p99` : `no more than ${whose}`}, so the amount of work does not explain the miss. ` +
              `baton's server waited ${wait(b)} for a core against ${whose} ${wait(other)}.`,
      );
    }
    parts.push(...roundSpread(b, other, row));
  }
  if (!rateMet) {
    const bc = b.saturation?.cpuUsPerDelivery;
    const oc = other.saturation?.cpuUsPerDelivery;
    if (bc !== undefined && oc !== undefined) {
      const cpu = `At saturation baton's server spent ${bc.toFixed(2)} µs of CPU per delivery against ${whose} ${oc.toFixed(2)}`;
      parts.push(
        bc > row.ratio * oc
          ? `${cpu}, so at the same share of the CPU its deliveries a second need ${percent(1 - (row.ratio * oc) / bc)} less CPU per delivery to meet the row.`
          : `${cpu}, no more than the row allows, so the row was missed by the share of the CPU the server got (${(b.saturation?.serverCores ?? NaN).toFixed(2)} cores against ${(other.saturation?.serverCores ?? NaN).toFixed(2)}), not by its work per delivery.`,
      );
    }
  }
  return parts.join(' ');
}

/**
 * Where the row stands among the rounds it is the median of: a p99 that some rounds meet and
 * others miss is within what this machine's runs spread, and the line says so.
 */
function roundSpread(b: SystemRun, other: SystemRun, row: FanOutRow): string[] {
  const mine = b.roundHeadlines;
  const theirs = other.roundHeadlines;
  const op = other.latency?.p99;
  if (!mine || !theirs || op === undefined) return [];
  const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
  const met = mine.filter((x) => meetsFanOut(x, op, row, true)).length;
  const bar = row.strict
    ? `under ${row.other}'s published p99 of ${ms(op)}`
    : `within ${row.ratio}× of ${row.other}'s published p99 of ${ms(op)} (${ms(row.ratio * op)})`;
  return [
    `baton's rounds had p99s of ${list(mine)} ms and ${row.other}'s ${list(theirs)} ms: ` +
      (met > 0
        ? `${met} of baton's ${mine.length} rounds came ${bar}, so the miss is within the spread of rounds on this machine.`
        : `none of baton's ${mine.length} rounds came ${bar}.`),
  ];
}

/** The resume rows: the last of `units` caught up within `goalMs`. */
function resume(
  results: ScenarioResult[],
  scenario: string,
  goalMs: number,
  title: string,
  units: { count: number; name: string },
): string[] {
  const floorRun = run(results, scenario, 'ws');
  const floor = lastCaughtUp(floorRun);
  const missed = BATONS.flatMap((s) => {
    const r = run(results, scenario, s);
    const v = lastCaughtUp(r);
    return r && v !== undefined && v >= goalMs ? [{ s, r, v }] : [];
  });
  if (missed.length === 0 || floor === undefined) return [];
  const figures = missed.map((x) => `${LABEL[x.s]} ${x.v} ms`).join(', ');
  if (floor >= goalMs)
    return [
      `**${title} under ${goalMs} ms: not possible on this machine** (${figures}). The floor, raw ws resuming from memory with nothing stored, ` +
        `needs ${floor} ms for the same resume in the same run: the devices reconnecting and parsing run on the same 2 cores as the server. ` +
        `It would take the clients on another machine, or more cores.`,
    ];
  const per = (ms: number) => `${((ms * 1000) / units.count).toFixed(1)} µs`;
  const cpu = (r: SystemRun | undefined) =>
    r?.profile ? `${Math.round(r.profile.cpuUs / 1000)} ms` : undefined;
  return missed.map(({ s, r, v }) => {
    const parts = [
      `**${title} under ${goalMs} ms, ${LABEL[s]}: missed** (${v} ms; the floor, raw ws resuming from memory with nothing stored, ${floor} ms in the same run).`,
    ];
    const bc = cpu(r);
    const fc = cpu(floorRun);
    if (bc !== undefined && fc !== undefined)
      parts.push(
        `baton's server spent ${bc} of CPU on it against the floor's ${fc}, and waited ${wait(r)} for a core against the floor's ${wait(floorRun!)}.`,
      );
    parts.push(
      `Beyond the floor's pace, baton takes ${per(v - floor)} more per ${units.name}; under ${goalMs} ms needs at most ${per(goalMs - floor)} more, ` +
        `so what it would take is ${((v - floor) / (goalMs - floor)).toFixed(1)}× less time per ${units.name} beyond the floor's on this machine ` +
        `(where the time goes: docs/benchmarks.md, "Where each row stands").`,
    );
    return parts.join(' ');
  });
}
