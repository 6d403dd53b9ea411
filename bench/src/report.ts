import type { SystemName } from './drivers/connection.js';
import type { ScenarioResult, SystemRun } from './scenarios/result.js';

/** Where and how a run happened, printed above the tables. */
export interface RunContext {
  command: string;
  date: string;
  machine: string;
  profile: string;
  notes: string[];
}

/** Each system labelled by exactly what it keeps and what its writes survive. */
export const LABEL: Record<SystemName, string> = {
  baton: 'baton, durability normal (survives kill -9, not power loss)',
  'baton-full': 'baton, durability full (fsync per commit: survives power loss)',
  'baton-pg': 'baton on PostgreSQL, same machine (synchronous_commit on: survives power loss)',
  socketio: 'Socket.IO 4.8 + recovery (memory only)',
  ws: 'floor: raw ws, encode once, one write per loop iteration (no storage)',
  'ws-stored':
    'stored floor: the floor committing each loop iteration to SQLite before it sends (no dedupe)',
  'ws-naive': 'raw ws, naive: encode per member, one write per frame (not the floor)',
  'baton-base': 'baseline build (--baseline), durability normal',
  'baton-full-base': 'baseline build (--baseline), durability full',
};

/** A run's row label: its system, and which repetition when there were several. */
function labelOf(run: SystemRun): string {
  return run.repetition === undefined
    ? LABEL[run.system]
    : `${LABEL[run.system]} (run ${run.repetition})`;
}

/** Server CPU per input while the latency was measured (each input is one latency sample). */
export function cpuPerInputUs(r: SystemRun | undefined): number | undefined {
  const samples = r?.latency?.samples;
  const cpuUs = r?.profile?.cpuUs;
  return typeof cpuUs === 'number' && samples ? cpuUs / samples : undefined;
}

/** baton's average events per group commit while the latency was measured, when it says. */
export function eventsPerCommit(r: SystemRun | undefined): number | undefined {
  const commits = r?.profile?.commits;
  return commits ? (r?.profile?.committedEvents ?? 0) / commits : undefined;
}

const num = (v: number | undefined, digits = 2) =>
  v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);
export const int = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '–' : Math.round(v).toLocaleString('en-US');
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !(b > 0) ? '–' : `${(a / b).toFixed(2)}×`;

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(head: string[], rows: string[][]): string[] {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)];
}

/**
 * What the server process did while the latency was measured: event-loop delay, GC pauses,
 * system calls, context switches, the time its event-loop thread waited for a core and, for
 * baton, how many events a group commit stored on average.
 */
function profileTable(result: ScenarioResult): string[] {
  const runs = result.runs.filter((r) => r.profile !== undefined);
  return table(
    [
      'system',
      'loop delay p50 / p99 / max (ms)',
      'GC pauses: count / total / max (ms)',
      'read / write syscalls',
      'context switches: voluntary / forced',
      'waiting for a core (ms)',
      'CPU (cores)',
      'CPU µs per input',
      'events per commit',
    ],
    runs.map((r) => {
      const p = r.profile!;
      return [
        labelOf(r),
        `${num(p.eventLoopDelayP50Ms)} / ${num(p.eventLoopDelayP99Ms)} / ${num(p.eventLoopDelayMaxMs)}`,
        `${int(p.gcCount)} / ${num(p.gcPauseTotalMs, 1)} / ${num(p.gcPauseMaxMs)}`,
        `${int(p.readSyscalls)} / ${int(p.writeSyscalls)}`,
        `${int(p.voluntarySwitches)} / ${int(p.involuntarySwitches)}`,
        num(p.runQueueWaitMs, 1),
        num(p.wallUs > 0 ? p.cpuUs / p.wallUs : undefined),
        num(cpuPerInputUs(r), 0),
        num(eventsPerCommit(r), 1),
      ];
    }),
  );
}

/** The figure an A/B compares: p99 where latency was sampled, else the scenario's own figure. */
export function headlineOf(run: SystemRun): { name: string; value: number } | undefined {
  if (run.latency) return { name: 'p99 ms', value: run.latency.p99 };
  for (const name of Object.keys(run.figures)) {
    if (!name.endsWith('(ms)') || name.startsWith('reconnected')) continue;
    const value = Number(run.figures[name]);
    if (Number.isFinite(value)) return { name, value };
  }
  return undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Baseline against this build, per durability mode: the median of each side's repetitions and
 * their ratio (below 1× means this build is faster). Only runs without problems count.
 */
function abLines(result: ScenarioResult): string[] {
  const lines: string[] = [];
  for (const [base, now] of [
    ['baton-base', 'baton'],
    ['baton-full-base', 'baton-full'],
  ] as const) {
    const pick = (system: SystemName) =>
      result.runs
        .filter((r) => r.system === system && r.problems.length === 0)
        .map(headlineOf)
        .filter((h) => h !== undefined);
    const a = pick(base);
    const b = pick(now);
    if (a.length === 0 || b.length === 0) continue;
    const ma = median(a.map((h) => h.value));
    const mb = median(b.map((h) => h.value));
    const list = (hs: { value: number }[]) => hs.map((h) => h.value.toFixed(2)).join(', ');
    lines.push(
      `- A/B ${LABEL[now]}, ${b[0]!.name}: median ${mb.toFixed(2)} against the baseline's ` +
        `${ma.toFixed(2)} (${ma > 0 ? (mb / ma).toFixed(2) : '–'}×); this build [${list(b)}], baseline [${list(a)}]`,
    );
  }
  return lines;
}

function status(run: SystemRun): string {
  if (run.problems.length > 0) return `FAILED: ${run.problems.join('; ')}`;
  return run.notes.length > 0 ? `ok (${run.notes.join('; ')})` : 'ok';
}

function fanoutTable(result: ScenarioResult): string[] {
  // Ratios are against the floor measured in this run, never a floor from another run.
  const floor = result.runs.find((r) => r.system === 'ws');
  return table(
    [
      'system',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'samples',
      'warm-up p99 ms',
      'submitted/s at saturation',
      'delivered/s at saturation',
      'server CPU (cores)',
      'CPU µs / delivery',
      'RSS / connection (KB)',
      'p99 ÷ floor',
      'delivered/s ÷ floor',
      'checked',
    ],
    result.runs.map((r) => [
      labelOf(r),
      num(r.latency?.p50),
      num(r.latency?.p99),
      num(r.latency?.p999),
      int(r.latency?.samples),
      num(r.warmupLatency?.p99),
      int(r.saturation?.submissionsPerSec),
      int(r.saturation?.deliveriesPerSec),
      num(r.saturation?.serverCores),
      num(r.saturation?.cpuUsPerDelivery),
      num(r.rssPerConnectionBytes === undefined ? undefined : r.rssPerConnectionBytes / 1024, 1),
      r.system === 'ws' ? '' : ratio(r.latency?.p99, floor?.latency?.p99),
      r.system === 'ws'
        ? ''
        : ratio(r.saturation?.deliveriesPerSec, floor?.saturation?.deliveriesPerSec),
      status(r),
    ]),
  );
}

function figuresTable(result: ScenarioResult): string[] {
  const columns = [...new Set(result.runs.flatMap((r) => Object.keys(r.figures)))];
  return table(
    ['system', ...columns, 'checked'],
    result.runs.map((r) => [labelOf(r), ...columns.map((c) => r.figures[c] ?? '–'), status(r)]),
  );
}

/** The whole BENCHMARKS.md (or the CI summary) for a run. */
export function renderReport(
  context: RunContext,
  results: ScenarioResult[],
  targets: string[],
  missed: string[] = [],
): string {
  const out: string[] = [
    '# Benchmarks',
    '',
    'baton beside Socket.IO and raw `ws` on the same machine, with the same message sizes and',
    'client counts. Generated by the benchmark in `bench/`; see docs/benchmarks.md for the method.',
    '',
    'baton runs twice: with `--durability normal` (the default: a commit survives a crash or',
    '`kill -9` of the server, not a power loss or an OS crash) and `--durability full` (one fsync',
    'per group commit: a commit also survives a power loss). The floor is raw `ws` with the same',
    'send techniques as baton (each frame encoded once for all members, one socket write per',
    'connection per event-loop iteration); every ratio is against the floor measured in the same run.',
    'In the two seed scenarios baton also runs on PostgreSQL (`--store`, a database on the same',
    'machine): its submitted/s at saturation are appends per second, beside SQLite in the same run.',
    '',
    `- Command: \`${context.command}\``,
    `- Date: ${context.date}`,
    `- Machine: ${context.machine}`,
    `- Profile: ${context.profile}`,
    ...context.notes.map((n) => `- ${n}`),
    '',
    '## Targets',
    '',
    ...targets.map((t) => `- ${t}`),
    ...(missed.length > 0
      ? [
          '',
          '## Why the missed rows are missed here, and what they would take',
          '',
          ...missed.flatMap((m) => [m, '']),
        ].slice(0, -1)
      : []),
  ];
  for (const result of results) {
    out.push('', `## ${result.title}`, '', result.description, '');
    const hasLatencyTable = result.runs.some((r) => r.saturation !== undefined);
    out.push(...(hasLatencyTable ? fanoutTable(result) : figuresTable(result)));
    const ab = abLines(result);
    if (ab.length > 0) out.push('', ...ab);
    if (result.runs.some((r) => r.profile !== undefined)) {
      out.push('', 'The server while the latency was measured:', '', ...profileTable(result));
    }
  }
  out.push('');
  return out.join('\n');
}
