import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, connected, launchBrowser, screenshot } from './harness/browser.js';
import {
  terminalText,
  typeInTerminal,
  waitForTerminal,
  openNewSession,
} from './harness/app-page.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

/** Calls the API from `page` as that browser's own device (its stored credential). */
function apiFromPage(
  page: Page,
  path: string,
  body: unknown,
): Promise<{
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}> {
  return page.evaluate(
    async ({ path, body }) => {
      const credential = JSON.parse(localStorage.getItem('baton.device') ?? '{}') as {
        token?: string;
      };
      const res = await fetch(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${credential.token ?? ''}`,
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
    { path, body },
  );
}

// Issue 10, seed 003: a running terminal is handed from the desktop to a phone with a takeover
// link. The phone becomes the controller and types; the desktop drops to observer live, without
// a reload, and the server refuses its keys. A used link and an expired one say so.
describe('handoff between two devices (seed 003)', { timeout: 240_000 }, () => {
  let baton: BatonProcess;
  let browser: Browser;
  const devices: BrowserDevice[] = [];

  before(async () => {
    baton = await BatonProcess.start(tempDir('handoff'), {
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
      devices.flatMap((d) => d.errors).filter((e) => !/status of 40[39]|status of 410/.test(e)),
      [],
      'no page errors',
    );
  });

  it('a takeover moves control to the phone and demotes the desktop live', async () => {
    const laptop = await BrowserDevice.create(browser);
    const phone = await BrowserDevice.create(browser, PHONE);
    devices.push(laptop, phone);

    const desktop = await laptop.open(baton.signInUrl);
    await openNewSession(desktop);
    await desktop.getByLabel('Kind').selectOption('terminal');
    await desktop.getByLabel('Name (optional)').fill('handed shell');
    await desktop.getByRole('button', { name: 'Create' }).click();
    await desktop.waitForURL(/\/s\/s_[a-z2-7]{20}$/);
    const sessionUrl = desktop.url();
    const sessionId = sessionUrl.split('/s/')[1]!;
    await waitFor('the shell prompt', async () => (await terminalText(desktop)).length > 0);
    await typeInTerminal(desktop, 'echo before-$((20+1))\n');
    await waitForTerminal(desktop, 'before-21');
    await desktop.getByTestId('control-status').getByText('Anyone with the editor role').waitFor();

    // Hand off: pick takeover, get a QR code, a link and a countdown.
    await desktop.getByRole('button', { name: 'Hand off' }).click();
    await desktop.getByLabel(/Take over/).check();
    await desktop.getByRole('button', { name: 'Create link' }).click();
    const link = (await desktop.getByTestId('handoff-link').getAttribute('href')) ?? '';
    assert.ok(link.startsWith(`${baton.url}/s/${sessionId}#handoff=bh_`), `link: ${link}`);
    await desktop.getByRole('img', { name: 'Handoff QR code' }).waitFor();
    assert.match(
      (await desktop.getByTestId('handoff-countdown').innerText()) ?? '',
      /^Expires in [45]:\d\d$/,
    );
    await screenshot(desktop, 'handoff-link');

    // The phone opens the link, names itself and lands in the session as its controller.
    const p = await phone.open(link, { connected: false });
    assert.ok(!p.url().includes('handoff='), `the token leaves the address bar: ${p.url()}`);
    await p.getByLabel('Name this device').fill('pocket phone');
    await p.getByRole('button', { name: 'Open the session' }).click();
    await p.waitForURL(sessionUrl);
    await connected(p);
    await p.getByTestId('control-status').getByText('You control this session.').waitFor();
    await waitForTerminal(p, 'before-21');

    // The desktop drops to observer live: no reload, the status and its terminal say so.
    await desktop
      .getByTestId('control-status')
      .getByText('pocket phone controls this session: you are observing.')
      .waitFor();
    await desktop.getByRole('button', { name: 'Take control back' }).waitFor();
    await desktop.getByLabel('Terminal (read-only)').waitFor();
    await waitFor('the desktop to list each device with its mode', async () => {
      const modes = await desktop
        .locator('.control-modes li')
        .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset['mode']));
      return modes.includes('controller') && modes.includes('observer');
    });
    await screenshot(desktop, 'handoff-desktop-observing');

    // The phone types; every device shows it.
    await typeInTerminal(p, 'echo from-phone-$((6*7))\n');
    await waitForTerminal(p, 'from-phone-42');
    await waitForTerminal(desktop, 'from-phone-42');
    await screenshot(p, 'handoff-phone-controlling');

    // The desktop's keys go nowhere, and the server itself refuses its input.
    await typeInTerminal(desktop, 'echo desktop-typed\n');
    const refused = await apiFromPage(desktop, `/api/sessions/${sessionId}/inputs`, {
      inputId: 'desktop-after-takeover',
      payload: { kind: 'terminal', data: 'echo desktop-via-api\r' },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.code, 'forbidden');
    assert.match(refused.body.error?.message ?? '', /pocket phone controls this session/);
    await typeInTerminal(p, 'echo phone-again\n');
    await waitForTerminal(desktop, 'phone-again');
    const screen = await terminalText(desktop);
    assert.ok(!screen.includes('desktop-typed'), 'the observer desktop typed nothing');
    assert.ok(!screen.includes('desktop-via-api'), 'the server refused the desktop input');

    // The owner takes control back; the phone drops to observer in turn.
    await desktop.getByRole('button', { name: 'Take control back' }).click();
    await desktop.getByTestId('control-status').getByText('You control this session.').waitFor();
    await p
      .getByTestId('control-status')
      .getByText(/controls this session: you are observing/)
      .waitFor();
    await p.getByRole('button', { name: 'Request control' }).waitFor();

    // The used link, opened again on another phone, is refused with a clear message.
    const thief = await BrowserDevice.create(browser, PHONE);
    devices.push(thief);
    const replay = await thief.open(link, { connected: false });
    await replay.getByRole('button', { name: 'Open the session' }).click();
    await replay
      .getByTestId('handoff-error')
      .getByText('This handoff link was already used.')
      .waitFor();
    assert.match(await replay.getByTestId('handoff-error').innerText(), /ask for a new one/);
    await screenshot(replay, 'handoff-replayed');

    // A link that expired is refused too.
    const shortLived = await apiFromPage(desktop, `/api/sessions/${sessionId}/handoff`, {
      mode: 'observe',
      ttlSeconds: 1,
    });
    assert.equal(shortLived.status, 201);
    const expiresAt = shortLived.body['expiresAt'] as number;
    await waitFor('the link to expire', () => Promise.resolve(Date.now() > expiresAt + 50));
    const late = await thief.open(shortLived.body['url'] as string, { connected: false });
    await late.getByRole('button', { name: 'Open the session' }).click();
    await late.getByTestId('handoff-error').getByText('This handoff link expired.').waitFor();
    await screenshot(late, 'handoff-expired');
  });
});
