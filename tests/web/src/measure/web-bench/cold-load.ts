import type { Browser } from 'playwright-core';
import type { BatonProcess } from '../../harness/baton-process.js';
import { BrowserDevice } from '../../harness/browser.js';
import type { Samples } from './samples.js';

/**
 * The link of a cold load, set with CDP `Network.emulateNetworkConditions`: a 4G-like mobile
 * link as browser tools model it (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up).
 */
export const LINK = {
  latencyMs: 150,
  downloadBitsPerSec: 1_600_000,
  uploadBitsPerSec: 750_000,
} as const;

/**
 * Cold load: a signed-in device with an empty cache (a fresh browser profile holding only the
 * stored device credential, so no HTTP cache and no service worker) navigates to the app on
 * the throttled link; measured from the navigation's start to the sessions list interactive
 * (connected, and the sessions listed with their links). Also the bytes transferred until
 * then (response headers and bodies as they came over the wire, from Resource Timing).
 */
export async function measureColdLoad(
  browser: Browser,
  baton: BatonProcess,
  runs: number,
): Promise<Samples> {
  const signIn = await BrowserDevice.create(browser);
  let storageState;
  try {
    await signIn.open(baton.signInUrl);
    storageState = await signIn.context.storageState();
  } finally {
    await signIn.close();
  }
  const times: number[] = [];
  const bytes: number[] = [];
  for (let run = 0; run < runs; run++) {
    const device = await BrowserDevice.create(browser, { storageState, serviceWorkers: 'block' });
    try {
      const page = await device.context.newPage();
      page.on('pageerror', (error) => device.errors.push(`pageerror: ${error.message}`));
      const cdp = await device.context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: LINK.latencyMs,
        downloadThroughput: LINK.downloadBitsPerSec / 8,
        uploadThroughput: LINK.uploadBitsPerSec / 8,
      });
      await page.addInitScript(() => {
        // From the first script on: the first frame in which the list is interactive.
        const w = window as unknown as { __listReady?: { ms: number; bytes: number } };
        const check = (): void => {
          const ready =
            document.querySelector('.connection[data-status="connected"]') !== null &&
            document.querySelector('.session-card a[href^="/s/"]') !== null;
          if (!ready) {
            requestAnimationFrame(check);
            return;
          }
          const entries = [
            ...performance.getEntriesByType('navigation'),
            ...performance.getEntriesByType('resource'),
          ] as PerformanceResourceTiming[];
          w.__listReady = {
            ms: performance.now(),
            bytes: entries.reduce((sum, e) => sum + e.transferSize, 0),
          };
        };
        requestAnimationFrame(check);
      });
      await page.goto(`${baton.url}/`, { waitUntil: 'commit' });
      const ready = await page.waitForFunction(
        () => (window as unknown as { __listReady?: { ms: number; bytes: number } }).__listReady,
        undefined,
        { timeout: 60_000, polling: 100 },
      );
      const { ms, bytes: transferred } = (await ready.jsonValue()) as { ms: number; bytes: number };
      times.push(ms);
      bytes.push(transferred);
      if (device.errors.length > 0) throw new Error(`page errors: ${device.errors.join('; ')}`);
    } finally {
      await device.close();
    }
  }
  const sortedBytes = [...bytes].sort((a, b) => a - b);
  const kb = (n: number): string => `${Math.round(n / 1024).toLocaleString('en-US')} KB`;
  return {
    name: 'cold load on a 4G-like link, empty cache → sessions list interactive',
    values: times,
    target: '< 1,000 ms',
    notes: [`transferred ${kb(sortedBytes[Math.floor(bytes.length / 2)] ?? 0)} (median)`],
  };
}
