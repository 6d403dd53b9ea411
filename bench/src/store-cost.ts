/**
 * What storing one input costs the server: CPU time and WAL bytes per input through the real
 * LogWriter and SqliteStore (duplicate lookup, numbering, commit), one commit per input, as at
 * the seed scenarios' rates (500 inputs a second arrive one per loop iteration). With
 * `--baseline DIR` the same runs for another checkout's build, rounds interleaved (a b a b …),
 * each round in a fresh process, and the medians are compared.
 *
 *   node bench/dist/store-cost.js [--inputs 20000] [--rounds 3] [--baseline DIR]
 *
 * A checkout is measured through its built files (`packages/server/dist/...`), so any build with
 * the same layout can be the baseline, including one from before this script existed.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from './stats.js';

interface Cost {
  cpuUsPerInput: number;
  walKiBPerInput: number;
}

/** The few members of the server's modules this measurement uses, as any build exports them. */
interface ServerModules {
  LogWriter: new (
    store: unknown,
    onCommitted: () => void,
  ) => {
    appendInput(log: object, event: object): Promise<unknown>;
  };
  SqliteStore: new (
    file: string,
    options: { checkpointIntervalMs: number },
  ) => {
    insertSession(record: object): Promise<void>;
    close(): Promise<void>;
  };
  terminalSessionRecord(id: string): object;
}

const WARM_UP = 3000;

async function loadServer(root: string): Promise<ServerModules> {
  const dist = join(root, 'packages/server/dist');
  const load = (path: string) => import(pathToFileURL(join(dist, path)).href);
  const [writer, store, record] = await Promise.all([
    load('hub/log-writer.js'),
    load('storage/sqlite-store.js'),
    load('testing/session-record.js'),
  ]);
  return { ...writer, ...store, ...record } as ServerModules;
}

/** One round, in this process: `inputs` inputs from ten devices, each stored before the next. */
async function measure(root: string, inputs: number): Promise<Cost> {
  const { LogWriter, SqliteStore, terminalSessionRecord } = await loadServer(root);
  const dir = mkdtempSync(join(tmpdir(), 'baton-store-cost-'));
  const file = join(dir, 'baton.db');
  // No checkpoint during the round: the WAL's growth is what the commits wrote.
  const store = new SqliteStore(file, { checkpointIntervalMs: 3_600_000 });
  try {
    await store.insertSession(terminalSessionRecord('s1'));
    const writer = new LogWriter(store, () => {});
    const log = { sessionId: 's1', headSeq: 0, lastActivityAt: 0 };
    const text = 'x'.repeat(200);
    const input = (i: number) =>
      writer.appendInput(log, {
        type: 'input',
        data: {
          deviceId: `d_${i % 10}`,
          inputId: `m${i}`,
          payload: { kind: 'message', text: `${i}|${text}` },
        },
      });
    for (let i = 0; i < WARM_UP; i++) await input(i);
    const walBefore = statSync(`${file}-wal`).size;
    const cpu = process.cpuUsage();
    for (let i = WARM_UP; i < WARM_UP + inputs; i++) await input(i);
    const used = process.cpuUsage(cpu);
    const wal = statSync(`${file}-wal`).size - walBefore;
    return {
      cpuUsPerInput: (used.user + used.system) / inputs,
      walKiBPerInput: wal / inputs / 1024,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function inChild(root: string, inputs: number): Promise<Cost> {
  return new Promise((done, fail) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', root, '--inputs', `${inputs}`]);
    let result: Cost | undefined;
    child.on('message', (m) => (result = m as Cost));
    child.on('error', fail);
    child.on('exit', (code) =>
      result && code === 0
        ? done(result)
        : fail(new Error(`the round for ${root} exited with ${code}`)),
    );
  });
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

// The nearest-rank median the report uses for rounds (the middle round of an odd count).
const median = (xs: number[]): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      inputs: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '3' },
      baseline: { type: 'string' },
      child: { type: 'string' },
    },
  });
  const inputs = Number(values.inputs);
  if (!Number.isInteger(inputs) || inputs < 1) throw new Error('--inputs must be a whole number');
  if (values.child !== undefined) {
    process.send!(await measure(values.child, inputs));
    return;
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number');
  const builds: [string, string][] = [
    ['this build', resolve(dirname(fileURLToPath(import.meta.url)), '../..')],
  ];
  if (values.baseline !== undefined) builds.push(['baseline', resolve(values.baseline)]);
  const results = new Map<string, Cost[]>(builds.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, root] of builds) {
      const cost = await inChild(root, inputs);
      results.get(name)!.push(cost);
      say(
        `round ${r + 1} ${name}: ${cost.cpuUsPerInput.toFixed(1)} µs of CPU, ${cost.walKiBPerInput.toFixed(1)} KiB of WAL per input`,
      );
    }
  }
  const cpu = (name: string) => median(results.get(name)!.map((c) => c.cpuUsPerInput));
  const wal = (name: string) => median(results.get(name)!.map((c) => c.walKiBPerInput));
  for (const [name] of builds)
    say(`${name}, median: ${cpu(name).toFixed(1)} µs, ${wal(name).toFixed(1)} KiB per input`);
  if (values.baseline !== undefined)
    say(
      `this build ÷ baseline: CPU ${(cpu('this build') / cpu('baseline')).toFixed(2)}×, WAL ${(wal('this build') / wal('baseline')).toFixed(2)}×`,
    );
}

await main();
