import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { isKnownLogEvent } from '@baton/protocol';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, launchBrowser, screenshot } from './harness/browser.js';
import {
  terminalText,
  typeInTerminal,
  waitForTerminal,
  openNewSession,
} from './harness/app-page.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

// Keys typed just before the laptop sleeps must not land, later, in whatever program is then in
// the foreground: they are never stored, and the page says how many were not sent.
describe('keystrokes typed while baton is unreachable', { timeout: 180_000 }, () => {
  let baton: BatonProcess;
  let browser: Browser;
  let laptop: BrowserDevice;
  let cli: BatonClient | undefined;

  before(async () => {
    baton = await BatonProcess.start(tempDir('terminal-keys'), {
      SHELL: '/bin/bash',
      HOME: tempDir('terminal-keys-home'),
    });
    browser = await launchBrowser();
    laptop = await BrowserDevice.create(browser);
  });
  after(async () => {
    await cli?.close();
    await laptop?.close().catch(() => {});
    await browser?.close();
    await baton?.close();
  });

  it('are never stored, never replayed, and the page says how many were dropped', async () => {
    const a = await laptop.open(baton.signInUrl);
    await openNewSession(a);
    await a.getByLabel('Kind').selectOption('terminal');
    await a.getByLabel('Name (optional)').fill('sleepy shell');
    await a.getByRole('button', { name: 'Create' }).click();
    await a.waitForURL(/\/s\/s_[a-z2-7]{20}$/);
    const sessionId = a.url().split('/s/')[1] ?? '';
    await waitFor('the shell prompt', async () => (await terminalText(a)).length > 0);
    await typeInTerminal(a, 'echo before-$((6*7))\n');
    await waitForTerminal(a, 'before-42');

    await baton.kill();
    await typeInTerminal(a, 'echo lost-$((5*5))\n');
    // The outbox is in IndexedDB (and, without it, localStorage): keystrokes are in neither.
    const stored = await a.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const legacy = Object.keys(localStorage)
            .filter((k) => k.startsWith('baton.outbox.'))
            .map((k) => localStorage.getItem(k) ?? '');
          const open = indexedDB.open('baton');
          open.onerror = () => reject(open.error ?? new Error('no database'));
          open.onsuccess = () => {
            const all = open.result.transaction('outbox').objectStore('outbox').getAll();
            all.onsuccess = () =>
              resolve([...legacy, ...all.result.map((row) => JSON.stringify(row))]);
          };
        }),
    );
    assert.ok(
      stored.every((v) => !v.includes('lost-')),
      `no keystroke in the stored outbox: ${stored.join()}`,
    );

    await baton.restart();
    await waitFor('the notice about dropped keys', async () =>
      /keystrokes? (was|were) not sent/.test(
        (await a
          .getByTestId('dropped-keys')
          .textContent()
          .catch(() => '')) ?? '',
      ),
    ).catch(async (error: unknown) => {
      await screenshot(a, 'terminal-keys-notice-failure');
      throw error;
    });

    cli = await nodeDevice(baton.url, baton.ownerToken);
    const { events } = await cli.fetchEvents(sessionId, 0, 5000);
    const typed = events
      .filter(isKnownLogEvent)
      .flatMap((e) => (e.type === 'input' && 'data' in e.data.payload ? [e.data.payload.data] : []))
      .join('');
    assert.ok(typed.includes('before-'), 'keys typed while connected were stored');
    assert.ok(!typed.includes('lost-'), 'keys typed while unreachable never reached the log');

    // A reload does not bring them back either.
    await a.reload();
    await waitFor('the terminal again', async () => (await terminalText(a)).length > 0);
    const after = await cli.fetchEvents(sessionId, 0, 5000);
    assert.ok(!JSON.stringify(after.events).includes('lost-'));
  });
});
