import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { isKnownLogEvent } from '@baton/protocol';
import { startFakeAnthropic, type ScriptedModelApi } from './harness/fake-model-api.js';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, connected, launchBrowser, screenshot } from './harness/browser.js';
import {
  savedViewsText,
  transcript,
  vanishedMessages,
  watchForVanishingMessages,
  openNewSession,
} from './harness/app-page.js';
import { messageState, sendMessage, waitForQuiet } from './harness/chat.js';
import { claudeServerEnv } from './harness/claude-env.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

// Inputs typed while the server is down stay visible as pending (also in a window opened
// during the outage from the service worker's cached app), and are delivered exactly once when
// the server is back on the same port with the same data.
describe('going offline and back', { timeout: 240_000 }, () => {
  let api: ScriptedModelApi;
  let baton: BatonProcess;
  let browser: Browser;
  let laptop: BrowserDevice;
  const clients: BatonClient[] = [];

  before(async () => {
    api = await startFakeAnthropic();
    baton = await BatonProcess.start(
      tempDir('offline'),
      claudeServerEnv(api, tempDir('offline-env')),
    );
    browser = await launchBrowser();
    laptop = await BrowserDevice.create(browser);
  });
  after(async () => {
    for (const c of clients) await c.close();
    await laptop?.close().catch(() => {});
    await browser?.close();
    await baton?.close();
    await api?.close();
  });

  it('inputs typed while the server is down are sent once when it is back', async () => {
    const a = await laptop.open(baton.signInUrl);
    await a.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await openNewSession(a);
    await a.getByLabel('Kind').selectOption('claude');
    await a.getByLabel('Name (optional)').fill('through the outage');
    await a.getByLabel('Working directory (optional)').fill(tempDir('offline-work'));
    await a.getByRole('button', { name: 'Create' }).click();
    await a.waitForURL(/\/s\/s_[a-z2-7]{20}$/);
    const sessionUrl = a.url();
    const sessionId = sessionUrl.split('/s/')[1] ?? '';
    await watchForVanishingMessages(a);

    api.script({ kind: 'text', text: 'Before the outage.', chunks: 2, delayMs: 50 });
    await sendMessage(a, 'hello before');
    await waitForQuiet(a);
    await waitFor('the first answer', async () => (await transcript(a)).length === 2);
    // The offline view is saved a moment after the view changes: wait until it holds the answer.
    await waitFor('the view with the answer to be saved', async () =>
      (await savedViewsText(a)).includes('Before the outage.'),
    );

    await baton.kill();
    await a.locator('.connection[data-status="reconnecting"]').waitFor({ timeout: 30_000 });
    await sendMessage(a, 'typed offline one');
    await sendMessage(a, 'typed offline two');
    assert.equal(await messageState(a, 'typed offline one'), 'pending');
    assert.equal(await messageState(a, 'typed offline two'), 'pending');
    await waitFor(
      'the indicator to count 2 pending inputs',
      async () => (await a.locator('.connection').getAttribute('data-pending')) === '2',
    );
    await screenshot(a, 'offline-pending');

    // A window opened during the outage starts from the cached app shell and the saved view.
    const d = await laptop.open(sessionUrl, { connected: false });
    await d.locator('.notice-offline').waitFor({ timeout: 30_000 });
    await waitFor('the saved conversation and the pending inputs', async () => {
      const shown = await transcript(d);
      return (
        shown.includes('agent: Before the outage.') && shown.includes('user: typed offline two')
      );
    });
    await screenshot(d, 'offline-saved-view');

    api.script(
      { kind: 'text', text: 'Got both.', chunks: 2, delayMs: 50 },
      { kind: 'text', text: 'Extra answer.', chunks: 2, delayMs: 50 },
    );
    await baton.restart();
    await connected(a, 60_000);
    await connected(d, 60_000);
    for (const text of ['typed offline one', 'typed offline two']) {
      await waitFor(
        `${text} to be sent`,
        async () => (await messageState(a, text)) !== 'pending',
        60_000,
      );
    }
    await waitForQuiet(a);

    const cli = await nodeDevice(baton.url, baton.ownerToken);
    clients.push(cli);
    const { events } = await cli.fetchEvents(sessionId, 0, 5000);
    const typed = events
      .filter(isKnownLogEvent)
      .flatMap((e) =>
        e.type === 'input' && 'text' in e.data.payload ? [e.data.payload.text] : [],
      );
    assert.deepEqual(
      typed,
      ['hello before', 'typed offline one', 'typed offline two'],
      'each input stored once, in order',
    );
    for (const page of [a, d]) {
      const users = (await transcript(page)).filter((line) => line.startsWith('user: '));
      assert.deepEqual(users, [
        'user: hello before',
        'user: typed offline one',
        'user: typed offline two',
      ]);
    }
    assert.deepEqual(await vanishedMessages(a), [], 'no message vanished in A');
    assert.equal(await a.locator('.connection').getAttribute('data-pending'), '0');
  });
});
