import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { ensureDir } from '../../harness/paths.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Records the page's main-thread JavaScript (V8 sampling profiler over CDP, 100 µs) from now
 * until the returned `stop`, which writes `DIR/NAME.cpuprofile` (open it in Chrome DevTools'
 * Performance panel) and returns the functions with the most self time, for a first look.
 */
export async function startCpuProfile(
  page: Page,
  dir: string,
  name: string,
): Promise<() => Promise<string[]>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    await cdp.detach();
    const file = join(ensureDir(dir), `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return [`${file}:`, ...topSelfTime(profile, 25)];
  };
}

/** The `count` functions with the most self time, as `ms  name  file:line`. */
export function topSelfTime(profile: CpuProfile, count: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    if (!node) continue;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${f.url ? basename(f.url) : ''}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    // A sample's time is the delta to the next one.
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => `${ms.toFixed(1).padStart(8)} ms  ${key}`);
}
