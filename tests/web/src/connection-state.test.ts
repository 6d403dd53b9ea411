import { openNewSession } from './harness/app-page.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, connected, launchBrowser, screenshot } from './harness/browser.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

/**
 * Records, in the page, which event each WebSocket was opened from (`window.event` is the event
 * being dispatched while a listener runs; a backoff timer has none). That tells a reconnect done
 * by the `online` event from one that waited out its backoff, without measuring time.
 */
function recordSocketCauses(): void {
  const w = window as unknown as { __socketCauses: string[]; WebSocket: typeof WebSocket };
  w.__socketCauses = [];
  const Original = w.WebSocket;
  w.WebSocket = class extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      w.__socketCauses.push(window.event?.type ?? 'timer');
    }
  };
}

const socketCauses = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { __socketCauses: string[] }).__socketCauses);

// Issue 11, connection state: a banner when offline with "Reconnect now", stale badges dimmed,
// and a reconnect at once when the browser comes back online, not after the backoff delay.
describe('connection state (issue 11)', { timeout: 180_000 }, () => {
  let baton: BatonProcess;
  let browser: Browser;
  let laptop: BrowserDevice;
  let page: Page;

  before(async () => {
    baton = await BatonProcess.start(tempDir('conn'));
    browser = await launchBrowser();
    laptop = await BrowserDevice.create(browser);
    await laptop.context.addInitScript(recordSocketCauses);
    page = await laptop.open(baton.signInUrl);
  });
  after(async () => {
    await laptop?.close().catch(() => {});
    await browser?.close();
    await baton?.close();
    // Refused sockets while the server is down are the browser's own log lines, not app errors.
    const errors = (laptop?.errors ?? []).filter(
      (e) => !/WebSocket connection to .* failed/.test(e),
    );
    assert.deepEqual(errors, [], 'no page errors');
  });

  it('offline shows a banner and dims the badges; coming back online reconnects at once', async () => {
    await openNewSession(page);
    await page.getByLabel('Name (optional)').fill('still here');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/s\/s_[a-z2-7]{20}$/);
    const badge = page.locator('.session-header .badge').first();
    await badge.waitFor();
    assert.equal(await page.locator('.connection-banner').count(), 0, 'no banner while live');
    assert.equal(await badge.evaluate((el) => getComputedStyle(el).opacity), '1');

    await baton.kill();
    const banner = page.locator('.connection-banner[data-state="offline"]');
    await banner.waitFor({ timeout: 30_000 });
    assert.match(await banner.innerText(), /Offline/);
    await waitFor(
      'the stale badge to be dimmed',
      async () => Number(await badge.evaluate((el) => getComputedStyle(el).opacity)) < 1,
    );
    await screenshot(page, 'connection-offline-banner');

    // The browser loses its network while the server comes back; the client's attempts fail
    // and back off. When the network returns, the `online` event itself opens the socket.
    await laptop.context.setOffline(true);
    await baton.restart();
    await laptop.context.setOffline(false);
    await connected(page);
    assert.ok(
      (await socketCauses(page)).includes('online'),
      `a socket was opened by the online event (${(await socketCauses(page)).join(', ')})`,
    );
    await banner.waitFor({ state: 'detached' });
    await waitFor(
      'the badge to be live again',
      async () => (await badge.evaluate((el) => getComputedStyle(el).opacity)) === '1',
    );

    // "Reconnect now" skips the backoff delay too. Between the server's restart and the click,
    // the client's own backoff timer may win and reconnect first (more often on a loaded
    // machine); then there is no banner to click, and the round is tried again, a few times.
    const clicks = async () => (await socketCauses(page)).filter((c) => c === 'click').length;
    let clickedOpen = false;
    for (let round = 0; round < 5 && !clickedOpen; round++) {
      await baton.kill();
      await page.locator('.connection[data-status="reconnecting"]').waitFor({ timeout: 30_000 });
      await baton.restart();
      const before = await clicks();
      const button = banner.getByRole('button', { name: 'Reconnect now' });
      const clicked = await button.click({ timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      await connected(page);
      clickedOpen = clicked && (await clicks()) === before + 1;
    }
    assert.ok(clickedOpen, 'the button opened a socket');
  });
});
