import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { startFakeAnthropic, type ScriptedModelApi } from './harness/fake-model-api.js';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, launchBrowser, screenshot } from './harness/browser.js';
import { savedViewsText, transcript, typeInTerminal } from './harness/app-page.js';
import { messageState, sendMessage, waitForQuiet } from './harness/chat.js';
import { claudeServerEnv, claudeSessionEnv } from './harness/claude-env.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

// Issue 11, bug 2: the offline "last session" was one slot shared by every window, so a
// terminal window overwrote what a chat window had saved; the chat window reloaded offline then
// showed "Loading the session…" forever and its pending messages vanished from view.
describe(
  'the offline view is per window and per session (issue 11, bug 2)',
  { timeout: 240_000 },
  () => {
    let api: ScriptedModelApi;
    let baton: BatonProcess;
    let browser: Browser;
    let laptop: BrowserDevice;
    let cli: BatonClient | undefined;

    before(async () => {
      api = await startFakeAnthropic();
      baton = await BatonProcess.start(
        tempDir('perwin'),
        claudeServerEnv(api, tempDir('perwin-env')),
      );
      browser = await launchBrowser();
      laptop = await BrowserDevice.create(browser);
    });
    after(async () => {
      await cli?.close();
      await laptop?.close().catch(() => {});
      await browser?.close();
      await baton?.close();
      await api?.close();
    });

    it('a chat window reloaded offline shows its chat and pending message after a terminal window was used', async () => {
      cli = await nodeDevice(baton.url, baton.ownerToken);
      const chat = await cli.createSession({
        kind: 'claude',
        name: 'the chat',
        config: { cwd: tempDir('perwin-work'), env: claudeSessionEnv(api) },
      });
      const shell = await cli.createSession({
        kind: 'terminal',
        name: 'the shell',
        config: { shell: '/bin/sh', env: { PS1: '$ ', HOME: tempDir('perwin-home') } },
      });
      const has = (id: string) => savedViewsText(laptop.context.pages()[0]!, id);

      const a = await laptop.open(baton.signInUrl);
      await a.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      await a.goto(`${baton.url}/s/${chat.id}`);
      api.script({ kind: 'text', text: 'Saved before the outage.', chunks: 2, delayMs: 20 });
      await sendMessage(a, 'remember this');
      await waitForQuiet(a);
      await waitFor('the chat to be saved', async () =>
        (await has(chat.id)).includes('Saved before the outage.'),
      );

      // Later, another window of the same browser shows a terminal, and its view is saved too.
      const b = await laptop.open(`${baton.url}/s/${shell.id}`);
      await b.locator('.terminal-host').waitFor();
      await waitFor('the terminal to be saved', async () => (await has(shell.id)) !== '');
      await typeInTerminal(b, 'echo used-later\n');
      const savedAt = async (id: string) =>
        (JSON.parse((await has(id)) || '{"savedAt":0}') as { savedAt: number }).savedAt;
      await waitFor(
        'the terminal to be the view saved last',
        async () =>
          (await has(shell.id)).includes('used-later') &&
          (await savedAt(shell.id)) > (await savedAt(chat.id)),
      );

      await baton.kill();
      await a.locator('.connection[data-status="reconnecting"]').waitFor({ timeout: 30_000 });
      await sendMessage(a, 'typed while offline');
      assert.equal(await messageState(a, 'typed while offline'), 'pending');

      await a.reload();
      await a.locator('.notice-offline').waitFor({ timeout: 30_000 });
      await waitFor('the saved chat and the pending message', async () => {
        const shown = await transcript(a);
        return (
          shown.includes('agent: Saved before the outage.') &&
          shown.includes('user: typed while offline')
        );
      });
      assert.equal(await messageState(a, 'typed while offline'), 'pending');
      await screenshot(a, 'offline-chat-after-terminal');

      // The sessions page of each window offers that window's own last session.
      await b.goto(`${baton.url}/`).catch(() => undefined);
      await a.goto(`${baton.url}/`).catch(() => undefined);
      await a.locator('.notice-offline').waitFor({ timeout: 30_000 });
      await b.locator('.notice-offline').waitFor({ timeout: 30_000 });
      assert.match(
        await a.locator('.notice-offline').innerText(),
        /Open the last session, “the chat”/,
      );
      assert.match(
        await b.locator('.notice-offline').innerText(),
        /Open the last session, “the shell”/,
      );
    });
  },
);
