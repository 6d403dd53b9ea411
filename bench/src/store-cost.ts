/**
 * What storing one input costs the server: CPU time and WAL bytes per input through the real
 * LogWriter and SqliteStore (duplicate lookup, numbering, commit). `--batch N` inputs arrive
 * together and are stored in one commit, as the group commit stores what one loop iteration
 * read: 1 (the default) is an input at a time; in the seed scenario of 10 devices on one session
 * a commit holds about nine, since the devices' load generators send in bursts (counted per
 * commit in the latency phase, docs/benchmarks.md). `--sessions N` spreads the inputs over N
 * sessions with ten devices each, as seed 100 × 10 does (N = 10): a commit then writes each
 * session's own pages. With `--baseline DIR` the same runs for
 * another checkout's build, rounds interleaved (a b a b …), each round in a fresh process, and
 * the medians are compared. `--ids time` (the default) gives the inputs ids as the SDK makes them
 * (UUID version 7, in time order); `--ids random` gives random ones (version 4), as clients
 * before it did.
 *
 *   node bench/dist/store-cost.js [--inputs 20000] [--batch 1] [--sessions 1] [--rounds 3]
 *     [--ids time|random] [--baseline DIR]
 *
 * A checkout is measured through its built files (`packages/server/dist/...`), so any build with
 * the same layout can be the baseline, including one from before this script existed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { newInputId } from '@baton/client';
import { forkedRound, medianOf } from './forked-round.js';

interface Cost {
  cpuUsPerInput: number;
  walKiBPerInput: number;
  /** Wall time of the duplicate lookup (`findInputs`) per commit, a part of the CPU above. */
  lookupUsPerCommit: number;
}

type FindInputs = (sessionId: string, keys: readonly object[]) => Promise<unknown>;

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
    findInputs: FindInputs;
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

type IdKind = 'time' | 'random';

interface Shape {
  inputs: number;
  batch: number;
  sessions: number;
  ids: IdKind;
}

/**
 * One round, in this process: `inputs` inputs, `batch` at a time, over `sessions` sessions of ten
 * devices each (input i from device i mod 10N, on that device's session).
 */
async function measure(root: string, shape: Shape): Promise<Cost> {
  const { inputs, batch, sessions, ids } = shape;
  const { LogWriter, SqliteStore, terminalSessionRecord } = await loadServer(root);
  const dir = mkdtempSync(join(tmpdir(), 'baton-store-cost-'));
  const file = join(dir, 'baton.db');
  // No checkpoint during the round: the WAL's growth is what the commits wrote.
  const store = new SqliteStore(file, { checkpointIntervalMs: 3_600_000 });
  try {
    const logs = Array.from({ length: sessions }, (_, n) => ({
      sessionId: `s${n + 1}`,
      headSeq: 0,
      lastActivityAt: 0,
    }));
    for (const log of logs) await store.insertSession(terminalSessionRecord(log.sessionId));
    // The lookup is timed on its own as well: it is the part a batch of many inputs shares.
    // better-sqlite3 answers inside the call, so the time to the promise is the lookup's.
    const find = store.findInputs.bind(store);
    let lookupNs = 0n;
    store.findInputs = (sessionId, keys) => {
      const start = process.hrtime.bigint();
      const found = find(sessionId, keys);
      lookupNs += process.hrtime.bigint() - start;
      return found;
    };
    const writer = new LogWriter(store, () => {});
    const text = 'x'.repeat(200);
    const newId = ids === 'time' ? newInputId : randomUUID;
    const input = (i: number) =>
      writer.appendInput(logs[i % sessions]!, {
        type: 'input',
        data: {
          deviceId: `d_${i % (10 * sessions)}`,
          inputId: newId(),
          payload: { kind: 'message', text: `${i}|${text}` },
        },
      });
    // Appended in one go, a batch's inputs are queued before the writer's flush runs, so they
    // share its commit; the next batch starts once they are all stored.
    const storeAll = async (from: number, to: number) => {
      for (let i = from; i < to; i += batch)
        await Promise.all(Array.from({ length: Math.min(batch, to - i) }, (_, j) => input(i + j)));
    };
    await storeAll(0, WARM_UP);
    lookupNs = 0n;
    const walBefore = statSync(`${file}-wal`).size;
    const cpu = process.cpuUsage();
    await storeAll(WARM_UP, WARM_UP + inputs);
    const used = process.cpuUsage(cpu);
    const wal = statSync(`${file}-wal`).size - walBefore;
    return {
      cpuUsPerInput: (used.user + used.system) / inputs,
      walKiBPerInput: wal / inputs / 1024,
      lookupUsPerCommit: Number(lookupNs) / 1000 / Math.ceil(inputs / batch),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function inChild(root: string, shape: Shape): Promise<Cost> {
  return forkedRound<Cost>(
    fileURLToPath(import.meta.url),
    [
      '--child',
      root,
      '--inputs',
      `${shape.inputs}`,
      '--batch',
      `${shape.batch}`,
      '--sessions',
      `${shape.sessions}`,
      '--ids',
      shape.ids,
    ],
    root,
  );
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      inputs: { type: 'string', default: '20000' },
      batch: { type: 'string', default: '1' },
      sessions: { type: 'string', default: '1' },
      ids: { type: 'string', default: 'time' },
      rounds: { type: 'string', default: '3' },
      baseline: { type: 'string' },
      child: { type: 'string' },
    },
  });
  const inputs = Number(values.inputs);
  if (!Number.isInteger(inputs) || inputs < 1) throw new Error('--inputs must be a whole number');
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1) throw new Error('--batch must be a whole number');
  const sessions = Number(values.sessions);
  if (!Number.isInteger(sessions) || sessions < 1)
    throw new Error('--sessions must be a whole number');
  const ids = values.ids;
  if (ids !== 'time' && ids !== 'random') throw new Error('--ids must be time or random');
  const shape: Shape = { inputs, batch, sessions, ids };
  if (values.child !== undefined) {
    process.send!(await measure(values.child, shape));
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
      const cost = await inChild(root, shape);
      results.get(name)!.push(cost);
      say(
        `round ${r + 1} ${name}: ${cost.cpuUsPerInput.toFixed(1)} µs of CPU, ${cost.walKiBPerInput.toFixed(1)} KiB of WAL per input; duplicate lookup ${cost.lookupUsPerCommit.toFixed(1)} µs per commit`,
      );
    }
  }
  const of = (name: string, field: keyof Cost) => medianOf(results.get(name)!.map((c) => c[field]));
  for (const [name] of builds)
    say(
      `${name}, median: ${of(name, 'cpuUsPerInput').toFixed(1)} µs, ${of(name, 'walKiBPerInput').toFixed(1)} KiB per input; lookup ${of(name, 'lookupUsPerCommit').toFixed(1)} µs per commit`,
    );
  if (values.baseline !== undefined) {
    const ratio = (field: keyof Cost) =>
      (of('this build', field) / of('baseline', field)).toFixed(2);
    say(
      `this build ÷ baseline: CPU ${ratio('cpuUsPerInput')}×, WAL ${ratio('walKiBPerInput')}×, lookup ${ratio('lookupUsPerCommit')}×`,
    );
  }
}

await main();
