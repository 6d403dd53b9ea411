import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FeedCheckpoint } from '../client-memory/feed-client.js';
import type { Scenario, SystemRun } from './result.js';

const FEED = fileURLToPath(new URL('../client-memory/feed-client.js', import.meta.url));
const MiB = 1024 * 1024;

/**
 * Client memory and work per event on a busy terminal: a million `terminal.output` frames
 * through the SDK (in a fresh process, so the heap is the client's alone). The heap after a full
 * GC and the time per event must stay flat from 100k to 1M events: the client keeps a bounded
 * tail, and no work grows with the length of the log.
 */
export function clientMemoryScenario(name: string, title: string, total: number): Scenario {
  const checkpoints = [total / 10, total / 2, total].map(Math.round);
  return {
    name,
    title,
    description: `${total.toLocaleString('en-US')} terminal events fed through the SDK's BatonClient and session store in-process (the frames are parsed as from a socket; no server): heap after GC and time per event at each checkpoint.`,
    systems: ['baton'],
    run: async (): Promise<SystemRun> => {
      const points = await feed(total, checkpoints);
      const figures: Record<string, string> = {};
      for (const p of points) {
        const at = `${(p.events / 1000).toLocaleString('en-US')}k`;
        figures[`heap @${at} (MiB)`] = (p.heapUsedBytes / MiB).toFixed(1);
        figures[`µs/event to ${at}`] = p.microsPerEvent.toFixed(2);
      }
      figures['events held'] = String(points.at(-1)?.heldEvents ?? 0);
      const problems: string[] = [];
      const first = points[0];
      const last = points.at(-1);
      // Flat: the heap at the end within 25% (plus a little slack for the allocator) of the first.
      if (first && last && last.heapUsedBytes > first.heapUsedBytes * 1.25 + 4 * MiB) {
        problems.push(
          `client heap grew from ${(first.heapUsedBytes / MiB).toFixed(1)} MiB at ${first.events} events to ${(last.heapUsedBytes / MiB).toFixed(1)} MiB at ${last.events}`,
        );
      }
      return { system: 'baton', connections: 1, figures, problems, notes: [] };
    },
  };
}

function feed(total: number, checkpoints: number[]): Promise<FeedCheckpoint[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', FEED, String(total), checkpoints.join(',')],
      { maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`the client feed failed: ${stderr || error.message}`));
          return;
        }
        resolve(JSON.parse(stdout.trim()) as FeedCheckpoint[]);
      },
    );
  });
}
