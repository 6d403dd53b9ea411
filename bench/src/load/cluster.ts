import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sleep } from '../clock.js';
import { batchEveryThread, niceEveryThread } from '../cpu-placement.js';
import type { ClientSpec, SystemName } from '../drivers/connection.js';
import { IpcChild } from '../ipc.js';
import type { CaughtUpReport, CollectReport, RunCommand } from './worker-commands.js';

/** One message as seen by every load generator together. */
export interface MessageRecord {
  submittedUs: number;
  lastReceivedUs: number;
  receivers: number;
}

/** Per submitter, the numbers n of the messages it sent in one run: first..last inclusive. */
export type Sent = Map<number, { first: number; last: number }>;

/** Everything the load generators saw since the last `collect`, merged. */
export interface Collected {
  messages: Map<string, MessageRecord>;
  deliveries: number;
  duplicates: number;
  gaps: number;
  otherEvents: number;
  otherBytes: number;
  anomalies: string[];
  anomalyCount: number;
}

/**
 * The load generator processes of one measurement. Device i lives in process i mod N, so each
 * process holds an even share of every session's devices.
 */
export class LoadCluster {
  private constructor(private readonly workers: IpcChild[]) {}

  /**
   * `nice` (`--nice-load`, 1–19): the generators' every thread runs at that niceness, so the
   * scheduler prefers the server under test whenever it is runnable. An experiment, no stand-in
   * for devices on other machines: their own timing, in every latency, still shares the cores
   * (docs/benchmarks.md, "A core of its own"). `batch` (`--batch-load`): every thread under
   * `SCHED_BATCH`, so a generator woken by the server's write does not preempt it (the same
   * experiment, by the scheduling policy instead of the weight).
   */
  static async start(count: number, nice = 0, batch = false): Promise<LoadCluster> {
    const entry = fileURLToPath(new URL('./worker.js', import.meta.url));
    const workers = Array.from(
      { length: count },
      () => new IpcChild(fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })),
    );
    await Promise.all(workers.map((w) => w.ready()));
    if (nice > 0) for (const w of workers) if (w.child.pid) niceEveryThread(w.child.pid, nice);
    if (batch) for (const w of workers) if (w.child.pid) batchEveryThread(w.child.pid);
    return new LoadCluster(workers);
  }

  private byWorker(indices: readonly number[]): number[][] {
    const groups = this.workers.map((): number[] => []);
    for (const i of indices) groups[i % this.workers.length]?.push(i);
    return groups;
  }

  private each<T>(fn: (w: IpcChild, i: number) => Promise<T>): Promise<T[]> {
    return Promise.all(this.workers.map(fn));
  }

  /** Connects and attaches every device. Throws if any failed. */
  async open(system: SystemName, url: string, specs: readonly ClientSpec[]): Promise<void> {
    const groups = this.workers.map((): ClientSpec[] => []);
    for (const s of specs) groups[s.index % this.workers.length]?.push(s);
    const results = await this.each((w, i) =>
      w.request<{ opened: number; failed: string[] }>('open', {
        system,
        url,
        clients: groups[i],
        concurrency: 64,
      }),
    );
    const failed = results.flatMap((r) => r.failed);
    const count = specs.length - results.reduce((n, r) => n + r.opened, 0);
    if (failed.length > 0) {
      throw new Error(
        `${system}: ${count} of ${specs.length} devices failed to connect, e.g. ${failed.slice(0, 3).join('; ')}`,
      );
    }
  }

  /** Runs a submission phase; resolves when submitting stops, with messages sent per submitter. */
  async run(cmd: Omit<RunCommand, 'submitters'>, submitters: readonly number[]): Promise<Sent> {
    const groups = this.byWorker(submitters);
    const results = await this.each((w, i) =>
      w.request<{ submitted: Record<string, [number, number]> }>('run', {
        ...cmd,
        submitters: groups[i],
      }),
    );
    const sent: Sent = new Map();
    for (const r of results) {
      for (const [k, [first, last]] of Object.entries(r.submitted))
        sent.set(Number(k), { first, last });
    }
    return sent;
  }

  /** Deliveries (broadcast messages received) since the last `collect`, all processes together. */
  async deliveries(): Promise<number> {
    const all = await this.each((w) => w.request<{ deliveries: number }>('progress'));
    return all.reduce((sum, p) => sum + p.deliveries, 0);
  }

  /** Waits until `expected` deliveries arrived or `timeoutMs` passed; returns whether they did. */
  async drain(expected: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let lastChange = Date.now();
    for (;;) {
      const got = await this.deliveries();
      if (got >= expected) return true;
      if (got !== last) {
        last = got;
        lastChange = Date.now();
      }
      // Nothing arriving for a while means the rest is lost, not late.
      if (Date.now() > deadline || Date.now() - lastChange > 10_000) return false;
      await sleep(25);
    }
  }

  async collect(): Promise<Collected> {
    const reports = await this.each((w) => w.request<CollectReport>('collect'));
    const merged: Collected = {
      messages: new Map(),
      deliveries: 0,
      duplicates: 0,
      gaps: 0,
      otherEvents: 0,
      otherBytes: 0,
      anomalies: [],
      anomalyCount: 0,
    };
    for (const r of reports) {
      for (const [msgId, submittedUs, receivedUs, count] of r.messages) {
        const m = merged.messages.get(msgId);
        if (m) {
          m.lastReceivedUs = Math.max(m.lastReceivedUs, receivedUs);
          m.receivers += count;
        } else {
          merged.messages.set(msgId, { submittedUs, lastReceivedUs: receivedUs, receivers: count });
        }
      }
      merged.deliveries += r.deliveries;
      merged.duplicates += r.duplicates;
      merged.gaps += r.gaps;
      merged.otherEvents += r.otherEvents;
      merged.otherBytes += r.otherBytes;
      merged.anomalyCount += r.anomalyCount;
      merged.anomalies.push(...r.anomalies);
    }
    return merged;
  }

  async otherEvents(): Promise<{ events: number; bytes: number }> {
    const all = await this.each((w) =>
      w.request<{ otherEvents: number; otherBytes: number }>('progress'),
    );
    return {
      events: all.reduce((s, p) => s + p.otherEvents, 0),
      bytes: all.reduce((s, p) => s + p.otherBytes, 0),
    };
  }

  async cut(indices: readonly number[]): Promise<void> {
    const groups = this.byWorker(indices);
    await this.each((w, i) => w.request('cut', { indices: groups[i] }));
  }

  /** Resumes all of `indices` at once; returns how many failed to reconnect. */
  async resume(indices: readonly number[]): Promise<number> {
    const groups = this.byWorker(indices);
    const r = await this.each((w, i) =>
      w.request<{ failed: number }>('resume', { indices: groups[i] }),
    );
    return r.reduce((s, x) => s + x.failed, 0);
  }

  /** From now on, a device counts as caught up once it has message `n` of `submitter`. */
  async track(indices: readonly number[], submitter: number, n: number): Promise<void> {
    const groups = this.byWorker(indices);
    await this.each((w, i) => w.request('track', { indices: groups[i], submitter, n }));
  }

  async caughtUp(indices: readonly number[]): Promise<CaughtUpReport> {
    const groups = this.byWorker(indices);
    const r = await this.each((w, i) =>
      w.request<CaughtUpReport>('caughtUp', { indices: groups[i] }),
    );
    return {
      caught: r.reduce((s, x) => s + x.caught, 0),
      total: r.reduce((s, x) => s + x.total, 0),
      lastUs: Math.max(0, ...r.map((x) => x.lastUs)),
    };
  }

  /** Closes every connection and ends the load generator processes. */
  async stop(): Promise<void> {
    await this.each((w) => w.request('close').catch(() => undefined));
    await sleep(100);
    for (const w of this.workers) w.child.kill();
  }
}
