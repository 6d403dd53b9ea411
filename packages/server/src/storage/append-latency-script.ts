/**
 * Measures append latency through the LogWriter on a real SQLite file, for each durability mode
 * with WAL checkpoints inline (SQLite's automatic checkpoint inside a commit) and in the
 * background worker. An open loop: appends are issued at a fixed rate whatever the latency, so a
 * stalled event loop shows up in the tail.
 *
 *   node packages/server/dist/storage/append-latency-script.js [--seconds 10] [--rate 2000]
 *        [--bytes 2048] [--reps 3] [--dir DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LogWriter, type SessionLogState } from '../hub/log-writer.js';
import { SqliteStore } from './sqlite-store.js';
import { terminalSessionRecord } from '../testing/session-record.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const dirArg = args.includes('--dir') ? args[args.indexOf('--dir') + 1] : undefined;
const seconds = arg('seconds', 10);
const rate = arg('rate', 2000);
const bytes = arg('bytes', 2048);
const reps = arg('reps', 3);
const SESSIONS = 8;

interface Result {
  durability: string;
  checkpoints: string;
  appends: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  loopP99: number;
  loopMax: number;
}

async function run(
  durability: 'normal' | 'full',
  checkpoints: 'inline' | 'background',
): Promise<Result> {
  const dir = mkdtempSync(join(dirArg ?? tmpdir(), 'baton-append-'));
  const store = new SqliteStore(join(dir, 'baton.db'), { durability, checkpoints });
  const logs: SessionLogState[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const id = `s${i}`;
    await store.insertSession(terminalSessionRecord(id));
    logs.push({ sessionId: id, headSeq: 0, lastActivityAt: 1 });
  }
  const writer = new LogWriter(store, () => {});
  const data = 'x'.repeat(bytes);
  const latencies: number[] = [];
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const pending = new Set<Promise<unknown>>();
  const started = performance.now();
  let issued = 0;
  let failures = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= seconds) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor(elapsed * rate) - issued;
      for (let k = 0; k < due; k++) {
        const log = logs[issued++ % SESSIONS]!;
        const t0 = performance.now();
        const p: Promise<void> = writer
          .append(log, [{ type: 'terminal.output', data: { data } }])
          .then(
            () => {
              latencies.push(performance.now() - t0);
            },
            () => {
              failures++;
            },
          )
          .then(() => {
            pending.delete(p);
          });
        pending.add(p);
      }
    }, 1);
  });
  await Promise.all(pending);
  loop.disable();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  if (failures > 0) throw new Error(`${failures} appends failed`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    durability,
    checkpoints,
    appends: latencies.length,
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: latencies[latencies.length - 1]!,
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
  };
}

// Configurations alternate within each repetition, so a burst of load from elsewhere on the
// machine hits all of them alike; each figure is the median over the repetitions.
const configs = [
  ['normal', 'inline'],
  ['normal', 'background'],
  ['full', 'inline'],
  ['full', 'background'],
] as const;
const runs: Result[][] = configs.map(() => []);
for (let rep = 0; rep < reps; rep++) {
  for (let c = 0; c < configs.length; c++) {
    const [durability, checkpoints] = configs[c]!;
    runs[c]!.push(await run(durability, checkpoints));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (n: number) => n.toFixed(2);
process.stdout.write(
  `append latency, ${SESSIONS} sessions, ${rate} appends/s of ${bytes} B, ${seconds} s per run, ` +
    `median of ${reps} runs; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${cpus().length} cores\n` +
    'durability | checkpoints | appends | p50 ms | p99 ms | p99.9 ms | max ms | loop p99 ms | loop max ms\n',
);
for (let c = 0; c < configs.length; c++) {
  const rs = runs[c]!;
  const m = (k: keyof Omit<Result, 'durability' | 'checkpoints'>) => median(rs.map((r) => r[k]));
  process.stdout.write(
    `${configs[c]![0]} | ${configs[c]![1]} | ${m('appends')} | ${f(m('p50'))} | ${f(m('p99'))} | ${f(m('p999'))} | ${f(m('max'))} | ${f(m('loopP99'))} | ${f(m('loopMax'))}\n`,
  );
}
