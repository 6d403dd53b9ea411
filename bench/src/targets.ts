import type { SystemName } from './drivers/connection.js';
import { LABEL } from './report.js';
import type { ScenarioResult, SystemRun } from './scenarios/result.js';

function find(
  results: ScenarioResult[],
  prefix: string,
  system: SystemName,
): SystemRun | undefined {
  return results.find((r) => r.name.startsWith(prefix))?.runs.find((r) => r.system === system);
}

const verdict = (ok: boolean | undefined) =>
  ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED';

const BATONS: readonly SystemName[] = ['baton', 'baton-full'];

/** A fan-out row: baton against another system of the same run, in p99 and deliveries a second. */
export interface FanOutRow {
  title: string;
  /** The other system, as a line names it. */
  other: 'the floor' | 'Socket.IO';
  system: SystemName;
  /** baton's p99 may be this many times the other's, and its deliveries this many times fewer. */
  ratio: number;
  /** Ahead of the other, not level with it ("faster than Socket.IO"). */
  strict: boolean;
}

export const FAN_OUT_ROWS: readonly FanOutRow[] = [
  {
    title: 'within 1.25× of the floor',
    other: 'the floor',
    system: 'ws',
    ratio: 1.25,
    strict: false,
  },
  {
    title: 'faster than Socket.IO',
    other: 'Socket.IO',
    system: 'socketio',
    ratio: 1,
    strict: true,
  },
];

/**
 * Whether baton's figure meets a fan-out row against the other's: a p99 at most ratio × theirs, or
 * deliveries a second at least theirs ÷ ratio (strictly, for a strict row). A figure that is NaN
 * (absent) never meets it. The verdicts here and the explanations of missed-rows.ts both use it.
 */
export function meetsFanOut(
  mine: number,
  theirs: number,
  { ratio, strict }: FanOutRow,
  lowerIsBetter: boolean,
): boolean {
  const [small, large] = lowerIsBetter ? [mine, ratio * theirs] : [theirs, ratio * mine];
  return strict ? small < large : small <= large;
}

/**
 * The issue's targets for baton in both durability modes, each with the measured figures and
 * whether it was met. "Raw ws" is always the fair floor of the same run.
 */
export function evaluateTargets(results: ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const system of BATONS) {
    const label = LABEL[system];
    for (const name of ['seed-10x1', 'seed-100x10']) {
      const run = find(results, name, system);
      if (!run) continue;
      const p99 = run.latency?.p99;
      lines.push(
        `${verdict(p99 === undefined ? undefined : p99 < 5)}: p99 under 5 ms in ${name}, ${label} (p99 ${p99?.toFixed(2) ?? '–'} ms)`,
      );
    }
    const b = find(results, 'fanout-', system);
    const w = find(results, 'fanout-', 'ws');
    const s = find(results, 'fanout-', 'socketio');
    if (b && b.latency === undefined) {
      lines.push(
        `MISSED: many devices on one session, ${label}: did not complete (${b.problems[0] ?? 'no result'})`,
      );
    } else if (b) {
      const bp = b.latency?.p99 ?? NaN;
      const bt = b.saturation?.deliveriesPerSec ?? NaN;
      if (w) {
        const wp = w.latency?.p99 ?? NaN;
        const wt = w.saturation?.deliveriesPerSec ?? NaN;
        lines.push(
          `${verdict(meetsFanOut(bp, wp, FAN_OUT_ROWS[0]!, true) && meetsFanOut(bt, wt, FAN_OUT_ROWS[0]!, false))}: many devices on one session within 1.25× of the raw ws floor, ${label} ` +
            `(÷ floor: p99 ${(bp / wp).toFixed(2)}×, deliveries/s ${(bt / wt).toFixed(2)}×)`,
        );
      }
      if (s) {
        const sp = s.latency?.p99 ?? NaN;
        const st = s.saturation?.deliveriesPerSec ?? NaN;
        lines.push(
          `${verdict(meetsFanOut(bp, sp, FAN_OUT_ROWS[1]!, true) && meetsFanOut(bt, st, FAN_OUT_ROWS[1]!, false))}: many devices on one session faster than Socket.IO, ${label} ` +
            `(p99 ${bp.toFixed(2)} vs ${sp.toFixed(2)} ms, ${Math.round(bt)} vs ${Math.round(st)} deliveries/s)`,
        );
      }
    }
    lines.push(...issue17Targets(results, system, label));
    const bm = find(results, 'open-connections', system)?.rssPerConnectionBytes;
    const wm = find(results, 'open-connections', 'ws')?.rssPerConnectionBytes;
    if (bm !== undefined && wm !== undefined) {
      const diffKb = (bm - wm) / 1024;
      lines.push(
        `${verdict(diffKb <= 10)}: memory within 10 KB per connection of the raw ws floor, ${label} ` +
          `(${(bm / 1024).toFixed(1)} KB vs ${(wm / 1024).toFixed(1)} KB)`,
      );
    }
  }
  for (const name of ['seed-10x1', 'seed-100x10']) {
    const sqlite = find(results, name, 'baton')?.saturation?.submissionsPerSec;
    const pg = find(results, name, 'baton-pg')?.saturation?.submissionsPerSec;
    if (sqlite === undefined || pg === undefined) continue;
    lines.push(
      `measured: appends per second at saturation in ${name}, PostgreSQL ${Math.round(pg)} against SQLite ${Math.round(sqlite)} ` +
        `(${(pg / sqlite).toFixed(2)}×), one node each, same run`,
    );
  }
  lines.push(...relayLines(results));
  const broken = results.flatMap((r) =>
    r.runs
      .filter((x) => [...BATONS, 'baton-pg'].includes(x.system) && x.problems.length > 0)
      .map((x) => `${r.name} (${x.system})`),
  );
  lines.push(
    `${verdict(broken.length === 0)}: baton delivered every event exactly once, in order, in every scenario and both durability modes` +
      (broken.length > 0 ? ` (failed: ${broken.join(', ')})` : ''),
  );
  return lines;
}

const figure = (run: SystemRun | undefined, name: string): number | undefined => {
  const v = Number(run?.figures[name]);
  return run && Number.isFinite(v) ? v : undefined;
};

/**
 * The floor's time for the same resume (raw ws replaying the frames it keeps in memory), and
 * the ratio to it: what the machine itself needs for the row, in the same run.
 */
function floorOf(results: ScenarioResult[], scenario: string, ms: number): string {
  const floor = figure(find(results, scenario, 'ws'), 'last caught up (ms)');
  return floor === undefined ? '' : `; floor ${floor} ms, ${(ms / floor).toFixed(2)}×`;
}

/**
 * The rows of "ahead of every peer, close to the floor": seed p99 against Socket.IO and the floor,
 * the reconnect storm (under 1 s, faster than Socket.IO), catch-up under 100 ms and the late
 * joiner under 15 ms.
 */
function issue17Targets(results: ScenarioResult[], system: SystemName, label: string): string[] {
  const lines: string[] = [];
  for (const name of ['seed-10x1', 'seed-100x10']) {
    const p99 = find(results, name, system)?.latency?.p99;
    const sp = find(results, name, 'socketio')?.latency?.p99;
    const wp = find(results, name, 'ws')?.latency?.p99;
    if (p99 === undefined || sp === undefined || wp === undefined) continue;
    lines.push(
      `${verdict(p99 <= sp && p99 <= 1.25 * wp)}: p99 in ${name} at most Socket.IO's and 1.25× the floor, ${label} ` +
        `(${p99.toFixed(2)} ms; Socket.IO ${sp.toFixed(2)} ms; floor ${wp.toFixed(2)} ms, ${(p99 / wp).toFixed(2)}×)`,
    );
  }
  const storm = figure(find(results, 'reconnect-storm', system), 'last caught up (ms)');
  const stormIo = figure(find(results, 'reconnect-storm', 'socketio'), 'last caught up (ms)');
  if (storm !== undefined) {
    lines.push(
      `${verdict(storm < 1000 && (stormIo === undefined || storm < stormIo))}: reconnect storm caught up in under 1 s and before Socket.IO, ${label} ` +
        `(${storm} ms; Socket.IO ${stormIo === undefined ? 'did not catch up' : `${stormIo} ms`}${floorOf(results, 'reconnect-storm', storm)})`,
    );
  }
  const catchUp = figure(find(results, 'catch-up', system), 'last caught up (ms)');
  if (catchUp !== undefined) {
    lines.push(
      `${verdict(catchUp < 100)}: catch-up in under 100 ms, ${label} (${catchUp} ms${floorOf(results, 'catch-up', catchUp)})`,
    );
  }
  const joiner = figure(find(results, 'late-joiner', system), 'subscribe → snapshot p50 (ms)');
  if (joiner !== undefined) {
    lines.push(
      `${verdict(joiner < 15)}: late joiner on 1,000 lines served in under 15 ms, ${label} (p50 ${joiner.toFixed(2)} ms)`,
    );
  }
  return lines;
}

/**
 * What the relay adds to a keystroke's echo against a direct connection, from the same run
 * (issue 13): measured, with no target to meet.
 */
function relayLines(results: ScenarioResult[]): string[] {
  const run = find(results, 'relay-latency', 'baton');
  const d50 = figure(run, 'direct p50 (ms)');
  const d99 = figure(run, 'direct p99 (ms)');
  const r50 = figure(run, 'relay p50 (ms)');
  const r99 = figure(run, 'relay p99 (ms)');
  if (d50 === undefined || d99 === undefined || r50 === undefined || r99 === undefined) return [];
  const added = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(2)} ms`;
  const plain = run?.figures['plaintext relay p50 / p99 (ms)'];
  return [
    `measured: a keystroke's echo on every device through a relay and a host (${run?.figures['relay sessions'] ?? 'plaintext'} session), against a direct server, same run: ` +
      `p50 ${r50.toFixed(2)} against ${d50.toFixed(2)} ms (${(r50 / d50).toFixed(2)}×, ${added(r50 - d50)}), ` +
      `p99 ${r99.toFixed(2)} against ${d99.toFixed(2)} ms (${(r99 / d99).toFixed(2)}×, ${added(r99 - d99)})` +
      (plain ? `; through a host that seals nothing, p50 / p99 ${plain} ms` : ''),
  ];
}
