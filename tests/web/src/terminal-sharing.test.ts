import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, launchBrowser, screenshot } from './harness/browser.js';
import {
  sessionCard,
  terminalText,
  typeInTerminal,
  waitForTerminal,
  openNewSession,
} from './harness/app-page.js';
import { tempDir } from './harness/paths.js';
import { notYet, waitFor } from './harness/wait-for.js';

// Seed 000: a backend that keys sessions by socket cannot let a second window join. Here a
// terminal made in one window is joined by another window of the same browser and by a second
// device; typing anywhere shows everywhere, and a window opened later shows the same screen.
describe('a terminal shared by windows and devices (seed 000)', { timeout: 180_000 }, () => {
  let baton: BatonProcess;
  let browser: Browser;
  const devices: BrowserDevice[] = [];

  before(async () => {
    baton = await BatonProcess.start(tempDir('terminal'), {
      SHELL: '/bin/bash',
      HOME: tempDir('home'),
    });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const d of devices) await d.close().catch(() => {});
    await browser?.close();
    await baton?.close();
    const errors = devices.flatMap((d) => d.errors);
    assert.deepEqual(errors, [], 'no page errors');
  });

  it('created in one window, joined from another window and another device, typed into from each', async () => {
    const laptop = await BrowserDevice.create(browser);
    const phone = await BrowserDevice.create(browser, { viewport: { width: 1280, height: 800 } });
    devices.push(laptop, phone);

    // Window A signs the browser in with the printed URL; the token leaves the address bar.
    const a = await laptop.open(baton.signInUrl);
    assert.ok(
      !a.url().includes('token='),
      `the owner token stays out of the address bar: ${a.url()}`,
    );
    const credential = await a.evaluate(() => localStorage.getItem('baton.device'));
    assert.ok(credential, 'the device credential is stored');

    await openNewSession(a);

    await a.getByLabel('Kind').selectOption('terminal');
    await a.getByLabel('Name (optional)').fill('shared shell');
    await a.getByRole('button', { name: 'Create' }).click();
    await a.waitForURL(/\/s\/s_[a-z2-7]{20}$/);
    const sessionUrl = a.url();
    await waitFor('the shell prompt', async () => (await terminalText(a)).length > 0);

    // Window B: the same browser without the token, so the same device, with its own connection.
    const b = await laptop.open(`${baton.url}/`);
    assert.equal(await b.evaluate(() => localStorage.getItem('baton.device')), credential);
    await sessionCard(b, 'shared shell').getByRole('link', { name: 'shared shell' }).click();
    await b.waitForURL(sessionUrl);

    // Window C: a second device, signed in with the printed URL, opening the session's address.
    const c = await phone.open(baton.signInUrl);
    assert.notEqual(await c.evaluate(() => localStorage.getItem('baton.device')), credential);
    await c.goto(sessionUrl);

    await typeInTerminal(a, 'echo from-A-$((6*7))\n');
    for (const page of [a, b, c]) await waitForTerminal(page, 'from-A-42');
    await typeInTerminal(c, 'echo from-C-$((5*5))\n');
    for (const page of [a, b, c]) await waitForTerminal(page, 'from-C-25');
    await typeInTerminal(b, 'echo from-B-$((2*4))\n');
    for (const page of [a, b, c]) await waitForTerminal(page, 'from-B-8');

    // Presence: two devices, three windows, seen live in window A.
    await waitFor('window A to list both devices and three windows', async () => {
      const devices = await a.locator('.devices .device-list > li').count();
      const windows = await a.locator('.devices .window-list > li').count();
      return devices === 2 && windows === 3 ? true : notYet({ devices, windows });
    }).catch(async (error: unknown) => {
      await screenshot(a, 'terminal-presence-failure');
      throw error;
    });
    await screenshot(a, 'terminal-shared');

    // A window opened later shows the same screen as the others.
    const d = await laptop.open(sessionUrl);
    await waitForTerminal(d, 'from-B-8');
    await waitFor('the late window to show the same screen as window A', async () => {
      const [left, right] = [await terminalText(a), await terminalText(d)];
      return left === right ? true : notYet({ a: left, d: right });
    }).then((v) => assert.equal(v, true));

    // Read-only: a read-only window's keys are not sent.
    const mode = b.getByRole('group', { name: 'This window' });
    await mode.getByRole('button', { name: 'Watching' }).click();
    await mode.getByRole('button', { name: 'Watching', pressed: true }).waitFor();
    await waitFor('B to be attached read-only', async () => {
      const badges = await a.locator('.devices .badge-readonly').count();
      return badges === 1
        ? true
        : notYet({ badges, panel: await a.locator('.devices').innerText() });
    });
    await typeInTerminal(b, 'echo never-sent\n');
    await typeInTerminal(a, 'echo after-readonly\n');
    for (const page of [a, b, c, d]) await waitForTerminal(page, 'after-readonly');
    assert.ok(!(await terminalText(a)).includes('never-sent'), 'read-only keys were not sent');
    await screenshot(b, 'terminal-read-only');

    // The sessions list shows who is attached.
    await a.goto(`${baton.url}/`);
    await sessionCard(a, 'shared shell').waitFor();
    await screenshot(a, 'sessions-list');
  });
});
