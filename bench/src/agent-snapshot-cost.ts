/**
 * What a long agent session's snapshot costs the server: the event loop's time to make the
 * `snapshot` frame a late joiner (or a compacted catch-up) is sent, as catch-up makes it, the
 * bytes it sends, and the heap the projection keeps, for a conversation of `--events` events.
 * With `--baseline DIR` the same runs for another checkout's build (before the projection kept
 * its events as JSON text, it encoded the whole conversation for each joiner), rounds
 * interleaved (a b a b …), each round in a fresh process with `--expose-gc`, and the medians
 * compared.
 *
 *   node bench/dist/agent-snapshot-cost.js [--events 70000] [--rounds 3] [--baseline DIR]
 *
 * Measured per round:
 * - a joiner after the conversation moved on (a kept event applied since the last snapshot),
 * - a second joiner right after it (a reconnect storm: nothing new in between),
 * - the retention checkpoint's text (what is stored),
 * - the projection's retained heap, and the time to apply the events.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { forkedRound, medianOf } from './forked-round.js';

interface Cost {
  joinerMs: number;
  repeatJoinerMs: number;
  checkpointMs: number;
  frameMiB: number;
  heapMiB: number;
  outsideHeapMiB: number;
  applyUsPerEvent: number;
}

type LogEventLike = { seq: number; ts: number; type: string; data: unknown };

interface ProjectionLike {
  apply(event: LogEventLike): void;
  snapshot(): Promise<{ seq: number; state: unknown }>;
  snapshotJson?(): Promise<{ seq: number; parts: readonly Buffer[] }>;
}

/** One turn of a conversation as Claude Code's runner logs it: about 3 KiB of JSON. */
function turn(seq: number, n: number): LogEventLike[] {
  const ts = 1_790_000_000_000 + seq;
  const filler = (k: number) => `line ${n}: ${'lorem ipsum dolor sit amet '.repeat(k)}`;
  const events: Array<Omit<LogEventLike, 'seq' | 'ts'>> = [
    {
      type: 'input',
      data: { id: `in-${n}`, deviceId: 'd1', message: { kind: 'message', text: filler(2) } },
    },
    { type: 'input.delivered', data: { inputIds: [`in-${n}`], deviceId: 'd1' } },
    { type: 'agent.turn.started', data: { turnId: `t${n}`, inputIds: [`in-${n}`] } },
    { type: 'session.status', data: { status: 'running' } },
    { type: 'agent.thinking', data: { messageId: `th${n}`, text: filler(8) } },
    {
      type: 'agent.tool.call',
      data: { toolCallId: `c${n}`, name: 'Read', input: { file_path: `/src/file-${n}.ts` } },
    },
    {
      type: 'agent.tool.result',
      data: { toolCallId: `c${n}`, output: filler(40), isError: false },
    },
    { type: 'agent.text', data: { messageId: `m${n}`, text: `${filler(12)} ✓` } },
    { type: 'agent.turn.ended', data: { turnId: `t${n}`, outcome: 'completed' } },
    { type: 'session.status', data: { status: 'idle' } },
  ];
  return events.map((e, i) => ({ seq: seq + i, ts: ts + i, ...e }));
}

const SESSION_INFO = { id: 's_bench', name: 'long', kind: 'claude', status: 'idle', headSeq: 0 };

/** The frame catch-up sends, made the way this build makes it. */
async function joinerFrame(p: ProjectionLike): Promise<Buffer> {
  const head = { type: 'snapshot', sessionId: 's_bench', epoch: 'e', reason: 'retention' };
  if (p.snapshotJson) {
    const { seq, parts } = await p.snapshotJson();
    const fields = JSON.stringify({ ...head, seq }).slice(0, -1);
    const session = `,"state":{"session":${JSON.stringify(SESSION_INFO)},"runner":`;
    return Buffer.concat([Buffer.from(fields + session), ...parts, Buffer.from('}}')]);
  }
  const { seq, state } = await p.snapshot();
  return Buffer.from(
    JSON.stringify({ ...head, seq, state: { session: SESSION_INFO, runner: state } }),
  );
}

async function checkpointText(p: ProjectionLike): Promise<string> {
  if (p.snapshotJson) return Buffer.concat((await p.snapshotJson()).parts).toString('utf8');
  return JSON.stringify((await p.snapshot()).state);
}

const gc = (): void => (globalThis as { gc?: () => void }).gc!();

async function measure(root: string, events: number): Promise<Cost> {
  const dist = join(root, 'packages/server/dist');
  const mod = (await import(
    pathToFileURL(join(dist, 'projections/agent/agent-projection.js')).href
  )) as { AgentProjection: new () => ProjectionLike };
  const log: LogEventLike[] = [];
  for (let n = 0; log.length < events; n++) log.push(...turn(log.length + 1, n));
  log.length = events;
  // The events reach the projection as parsed objects, one commit at a time.
  const texts = log.map((e) => JSON.stringify(e));
  log.length = 0;
  const filled = (p: ProjectionLike = new mod.AgentProjection()) => {
    let applyNs = 0n;
    for (const text of texts) {
      const e = JSON.parse(text) as LogEventLike;
      const t0 = process.hrtime.bigint();
      p.apply(e);
      applyNs += process.hrtime.bigint() - t0;
    }
    return { p, applyNs };
  };
  // What a projection keeps: the memory with it, less the memory before it. Measured before
  // any frame is made, whose buffers would be freed lazily.
  const memory = (): { heap: number; outside: number } => {
    for (let i = 0; i < 3; i++) gc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed, outside: m.external };
  };
  const last = JSON.parse(texts[texts.length - 1]!) as LogEventLike;
  const keptBy = (): { heap: number; outside: number } => {
    const before = memory();
    const { p } = filled();
    const after = memory();
    p.apply({ ...last, seq: last.seq + 1 }); // p is alive until here
    return { heap: after.heap - before.heap, outside: after.outside - before.outside };
  };

  // The first pass over the events leaves memory that the next collection frees: made by a
  // projection that keeps nothing, so that `before` does not count it.
  filled({ apply: () => {}, snapshot: () => Promise.resolve({ seq: 0, state: null }) });
  const kept = keptBy();

  const { p, applyNs } = filled();
  const time = async <T>(f: () => Promise<T>): Promise<[number, T]> => {
    const t0 = process.hrtime.bigint();
    const r = await f();
    return [Number(process.hrtime.bigint() - t0) / 1e6, r];
  };
  // Warm the code paths, then a kept event so that nothing made before is reused.
  await joinerFrame(p);
  p.apply({ ...last, seq: last.seq + 1, type: 'agent.text', data: { messageId: 'x', text: 'x' } });
  const [joinerMs, frame] = await time(() => joinerFrame(p));
  const [repeatJoinerMs] = await time(() => joinerFrame(p));
  p.apply({ ...last, seq: last.seq + 2, type: 'agent.text', data: { messageId: 'y', text: 'y' } });
  const [checkpointMs] = await time(() => checkpointText(p));
  return {
    joinerMs,
    repeatJoinerMs,
    checkpointMs,
    frameMiB: frame.length / 2 ** 20,
    heapMiB: kept.heap / 2 ** 20,
    outsideHeapMiB: kept.outside / 2 ** 20,
    applyUsPerEvent: Number(applyNs) / 1e3 / events,
  };
}

function inChild(root: string, events: number): Promise<Cost> {
  const script = fileURLToPath(import.meta.url);
  return forkedRound<Cost>(script, ['--child', root, '--events', `${events}`], root, [
    '--expose-gc',
  ]);
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '70000' },
      rounds: { type: 'string', default: '3' },
      baseline: { type: 'string' },
      child: { type: 'string' },
    },
  });
  const events = Number(values.events);
  if (!Number.isInteger(events) || events < 10)
    throw new Error('--events must be a whole number of at least 10');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number');
  if (values.child) {
    process.send!(await measure(values.child, events));
    return;
  }
  const here = join(fileURLToPath(import.meta.url), '../../..');
  const builds = values.baseline ? [here, values.baseline] : [here];
  const results = new Map<string, Cost[]>(builds.map((b) => [b, []]));
  for (let r = 0; r < rounds; r++)
    for (const b of builds) results.get(b)!.push(await inChild(b, events));
  const keys: Array<[keyof Cost, string]> = [
    ['joinerMs', 'a joiner after new events (ms)'],
    ['repeatJoinerMs', 'the next joiner, nothing new (ms)'],
    ['checkpointMs', 'a checkpoint text (ms)'],
    ['frameMiB', 'frame sent (MiB)'],
    ['heapMiB', 'JavaScript heap kept by the projection (MiB)'],
    ['outsideHeapMiB', 'memory outside the heap kept by it (MiB)'],
    ['applyUsPerEvent', 'apply, per event (µs)'],
  ];
  say(`${events} events, ${rounds} rounds, medians (every round in brackets)`);
  for (const [key, label] of keys) {
    const cells = builds.map((b) => {
      const xs = results.get(b)!.map((c) => c[key]);
      return { m: medianOf(xs), all: xs.map((x) => x.toFixed(2)).join(' / ') };
    });
    const ratio =
      cells.length === 2 && cells[1]!.m > 0.05
        ? ` (${(cells[0]!.m / cells[1]!.m).toFixed(2)}×)`
        : '';
    say(`${label}: ${cells.map((c) => `${c.m.toFixed(2)} [${c.all}]`).join(' against ')}${ratio}`);
  }
}

await main();
