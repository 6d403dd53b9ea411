/**
 * One socket per window, or one per browser profile (a leader window holding the only socket
 * and relaying to the others over a BroadcastChannel)? Measures, with real Chromium and a real
 * server, what decides it:
 *
 * - latency from one window to the others: through the server (a document write in window A
 *   seen as a `doc.changed` event by window B's own socket) and through a BroadcastChannel (the
 *   hop a leader would add for every follower, and what baton already uses for local changes);
 * - the JS heap one more connected client costs a window (what a follower would save);
 * - server connections: one per window, or one per profile.
 *
 *   npx tsc -b tests/web && npx vite build apps/web
 *   node tests/web/dist/measure/tab-sockets.js [windows=4] [rounds=50]
 */
import { idleRunnerFactory, startTestServer } from '@baton/server/testing';
import type { Page } from 'playwright-core';
import { BrowserDevice, launchBrowser } from '../harness/browser.js';
import { nodeDevice } from '../harness/node-device.js';
import { startPageClient, type SdkWindow } from '../harness/page-sdk.js';
import { WEB_DIST } from '../harness/paths.js';

const windows = Number(process.argv[2] ?? 4);
const rounds = Number(process.argv[3] ?? 50);

const server = await startTestServer({ webRoot: WEB_DIST, runners: [idleRunnerFactory('claude')] });
const url = `http://127.0.0.1:${server.port}`;
const cli = await nodeDevice(url, server.ownerToken);
const session = await cli.createSession({ kind: 'claude', name: 'tabs' });
const browser = await launchBrowser();
const profile = await BrowserDevice.create(browser);

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function heapUsed(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
}

try {
  const pages: Page[] = [];
  for (let i = 0; i < windows; i++) {
    const page = await profile.open(i === 0 ? `${url}/#token=${server.ownerToken}` : `${url}/`);
    pages.push(page);
  }
  for (const page of pages) {
    await startPageClient(page, 'sdk');
    await page.evaluate(
      (id) => (window as unknown as SdkWindow).clients['sdk']!.subscribe(id),
      session.id,
    );
  }
  // One more connected, subscribed client in a window whose code is already loaded: what each
  // follower window would not hold under a leader.
  const heapBefore = await heapUsed(pages[0]!);
  await startPageClient(pages[0]!, 'extra');
  await pages[0]!.evaluate(
    (id) => (window as unknown as SdkWindow).clients['extra']!.subscribe(id),
    session.id,
  );
  const heapAfter = await heapUsed(pages[0]!);

  // Every window listens: the time (epoch ms, the same clock in every window) of each version.
  for (const page of pages.slice(1))
    await page.evaluate(() => {
      const w = window as unknown as SdkWindow & { seen: Record<number, number> };
      w.seen = {};
      w.clients['sdk']!.on('event', ({ event }) => {
        if (event.type === 'doc.changed')
          w.seen[event.data.version] = performance.timeOrigin + performance.now();
      });
      const channel = new BroadcastChannel('measure');
      channel.onmessage = (e: MessageEvent<number>) =>
        (w.seen[-e.data] = performance.timeOrigin + performance.now());
    });
  const [a, ...others] = pages as [Page, ...Page[]];
  await a.evaluate(() => {
    (window as unknown as { channel: BroadcastChannel }).channel = new BroadcastChannel('measure');
  });

  const viaServer: number[] = [];
  const viaChannel: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const sentAt = await a.evaluate(
      async ({ id, round }) => {
        const at = performance.timeOrigin + performance.now();
        await (window as unknown as SdkWindow).clients['sdk']!.documents.write(id, 'm', {
          round,
        });
        return at;
      },
      { id: session.id, round },
    );
    const postedAt = await a.evaluate((round) => {
      const at = performance.timeOrigin + performance.now();
      (window as unknown as { channel: BroadcastChannel }).channel.postMessage(round);
      return at;
    }, round);
    for (const page of others) {
      const times = await page.waitForFunction((round) => {
        const seen = (window as unknown as { seen: Record<number, number> }).seen;
        return seen[round] !== undefined && seen[-round] !== undefined
          ? [seen[round], seen[-round]]
          : undefined;
      }, round);
      const [server_, channel] = (await times.jsonValue()) as [number, number];
      viaServer.push(server_ - sentAt);
      viaChannel.push(channel - postedAt);
    }
  }
  const result = {
    windows,
    rounds,
    medianMs: { viaServer: median(viaServer), viaBroadcastChannel: median(viaChannel) },
    worstMs: { viaServer: Math.max(...viaServer), viaBroadcastChannel: Math.max(...viaChannel) },
    jsHeapPerClientKiB: Math.round((heapAfter - heapBefore) / 1024),
    // The app's own client in each window; the SDK clients here are the measurement's.
    serverConnections: { socketPerWindow: windows, leader: 1 },
    leaderRelayMs: median(viaServer) + median(viaChannel),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await cli.close();
  await profile.close();
  await browser.close();
  await server.close();
}
