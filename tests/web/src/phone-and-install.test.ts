import { openNewSession } from './harness/app-page.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, launchBrowser, screenshot } from './harness/browser.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

// The app on a phone-sized screen, the sign-in screen, and what makes it installable: a valid
// web app manifest with icons, and a service worker that takes control.
describe('phone layout and installability', { timeout: 180_000 }, () => {
  let baton: BatonProcess;
  let browser: Browser;
  const devices: BrowserDevice[] = [];

  before(async () => {
    baton = await BatonProcess.start(tempDir('phone'), {
      SHELL: '/bin/bash',
      HOME: tempDir('home'),
    });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const d of devices) await d.close().catch(() => {});
    await browser?.close();
    await baton?.close();
    assert.deepEqual(
      devices.flatMap((d) => d.errors),
      [],
      'no page errors',
    );
  });

  it('serves a valid manifest with reachable icons', async () => {
    const response = await fetch(`${baton.url}/manifest.webmanifest`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/manifest\+json/);
    const manifest = (await response.json()) as Record<string, unknown>;
    assert.equal(manifest['name'], 'baton');
    assert.equal(typeof manifest['short_name'], 'string');
    assert.equal(manifest['start_url'], '/');
    assert.equal(manifest['display'], 'standalone');
    assert.match(String(manifest['theme_color']), /^#[0-9a-f]{6}$/i);
    const icons = manifest['icons'] as ManifestIcon[];
    for (const size of ['192x192', '512x512']) {
      assert.ok(
        icons.some((i) => i.sizes === size && i.type === 'image/png'),
        `a ${size} PNG icon`,
      );
    }
    assert.ok(
      icons.some((i) => i.purpose === 'maskable'),
      'a maskable icon',
    );
    for (const icon of icons) {
      const r = await fetch(new URL(icon.src, baton.url));
      assert.equal(r.status, 200, icon.src);
      assert.equal(r.headers.get('content-type'), icon.type, icon.src);
    }
  });

  it('shows a clear sign-in screen without a token', async () => {
    const stranger = await BrowserDevice.create(browser);
    devices.push(stranger);
    const page = await stranger.open(`${baton.url}/`, { connected: false });
    await page.getByRole('heading', { name: 'Sign in to baton' }).waitFor();
    assert.match(await page.locator('main').innerText(), /baton serve/);
    await screenshot(page, 'sign-in');
  });

  it('fits a phone screen, registers its service worker, and reports mobile mode when installed', async () => {
    const phone = await BrowserDevice.create(browser, {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      colorScheme: 'dark',
    });
    devices.push(phone);
    const page = await phone.open(baton.signInUrl);
    assert.equal(
      await page.locator('link[rel="manifest"]').getAttribute('href'),
      '/manifest.webmanifest',
    );
    const sw = await waitFor('the service worker to activate', () =>
      page.evaluate(async () => {
        const registration = await navigator.serviceWorker.ready;
        const state = registration.active?.state;
        return state === 'activated' ? { state, scope: registration.scope } : undefined;
      }),
    );
    assert.equal(sw.scope, `${baton.url}/`);

    await openNewSession(page);

    await page.getByLabel('Kind').selectOption('terminal');
    await page.getByLabel('Name (optional)').fill('phone shell');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/s\/s_[a-z2-7]{20}$/);
    await page.locator('.terminal-host .xterm-rows').waitFor();
    await waitFor(
      'the shell prompt',
      async () => (await page.locator('.terminal-host .xterm-rows').innerText()).trim().length > 0,
    );
    await screenshot(page, 'phone-terminal');
    await page.goto(`${baton.url}/`);
    await page.locator('.session-card').first().waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (overflow ${overflow}px)`);
    await screenshot(page, 'phone-sessions');

    // An installed app on a phone (display-mode: standalone) declares itself as `mobile`.
    // Headless Chromium cannot install apps, so the display mode is answered as an installed
    // app's would be before the page's scripts run.
    const installed = await phone.context.newPage();
    await installed.addInitScript(() => {
      const original = window.matchMedia.bind(window);
      window.matchMedia = (query: string) => {
        const list = original(query);
        if (query.includes('display-mode: standalone'))
          Object.defineProperty(list, 'matches', { value: true });
        return list;
      };
    });
    await installed.goto(page.url());
    await installed.locator('.connection[data-status="connected"]').waitFor();
    assert.equal(await installed.locator('.window-mode').textContent(), 'mobile');
    await installed.locator('.session-card .session-name').first().click();
    await page.goto(installed.url());
    // On a phone the devices panel is folded away until asked for.
    await page.getByRole('button', { name: /^Devices/ }).click();
    await waitFor(
      'presence to show the mobile window',
      async () => (await page.locator('.devices [data-mode="mobile"]').count()) === 1,
    );
    await screenshot(page, 'phone-devices');
  });
});
