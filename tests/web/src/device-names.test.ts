import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { startFakeAnthropic, type ScriptedModelApi } from './harness/fake-model-api.js';
import { BrowserSuite } from './harness/browser-suite.js';
import { screenshot } from './harness/browser.js';
import { sendMessage, waitForQuiet } from './harness/chat.js';
import { claudeServerEnv, claudeSessionEnv } from './harness/claude-env.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';
import { notYet, waitFor } from './harness/wait-for.js';

// Issue 11, bug 11: every browser was "browser on Linux", could not be renamed, and what a
// device had written showed as "Another device" once it left. Real server, real Claude Code
// against a scripted model API, real Chromium; two browser profiles are two devices.
describe('device names (issue 11, bug 11)', { timeout: 600_000 }, () => {
  let api: ScriptedModelApi | undefined;
  const s = new BrowserSuite('device-names', {
    env: async () => {
      api = await startFakeAnthropic();
      s.closeFirst(() => api!.close());
      return claudeServerEnv(api, tempDir('device-names-env'));
    },
  });
  const work = tempDir('device-names-work');
  let cli: BatonClient | undefined;

  /** Answers the one-time "Name this device" question after an automatic sign-in. */
  async function nameThisDevice(page: Page, name: string): Promise<string> {
    const question = page.getByRole('region', { name: 'Name this device' });
    await question.waitFor();
    const suggested = await question.getByLabel('Device name').inputValue();
    await question.getByLabel('Device name').fill(name);
    await question.getByRole('button', { name: 'Use this name' }).click();
    await question.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: `This device: ${name}` }).waitFor();
    return suggested;
  }

  /** The author shown on the user message `text`. */
  function authorOf(page: Page, text: string) {
    return page
      .locator('.transcript .msg-user', { has: page.locator('.user-text', { hasText: text }) })
      .locator('.msg-author');
  }

  /** How many devices the session's bar shows as here. */
  async function devicesHere(page: Page): Promise<number> {
    return Number(await page.locator('.session-header .presence').getAttribute('data-count'));
  }

  it('names devices at sign-in, and names what a device did after it left', async () => {
    const laptop = await s.device();
    const tablet = await s.device();
    const a = await laptop.open(s.baton.signInUrl);
    const suggested = await nameThisDevice(a, 'Work laptop');
    // The suggestion comes from the user agent ("Chrome on Linux"), not one name for every browser.
    assert.match(suggested, /^Chrome on Linux$/, `suggested ${suggested}`);
    const b = await tablet.open(s.baton.signInUrl);
    await nameThisDevice(b, 'Kitchen tablet');

    cli = await nodeDevice(s.baton.url, s.baton.ownerToken);
    s.closeFirst(() => cli!.close());
    const created = await cli.createSession({
      kind: 'claude',
      name: 'named chat',
      config: { cwd: work, env: claudeSessionEnv(api!) },
    });
    const url = `${s.baton.url}/s/${created.id}`;
    for (const page of [a, b]) {
      await page.goto(url);
      await page.locator('.composer').waitFor();
    }

    // The tablet writes, then stops a turn.
    api!.script({ kind: 'text', text: 'Hello, tablet.' });
    await sendMessage(b, 'from the tablet');
    // Both: the streaming message waited for below must be the next turn's, not this one's.
    for (const page of [a, b]) await waitForQuiet(page);
    await authorOf(a, 'from the tablet').filter({ hasText: 'Kitchen tablet' }).waitFor();
    api!.script({ kind: 'text', text: 'word '.repeat(200), chunks: 100, delayMs: 150 });
    await sendMessage(b, 'talk for a while');
    await b.locator('.msg-assistant.streaming').first().waitFor({ timeout: 60_000 });
    await b.getByRole('button', { name: "Stop the agent's current turn" }).click();
    // What both devices show while waiting, so a timeout says whether the turn ran to its end
    // anyway, the Stop failed on the tablet, or the laptop saw nothing.
    await waitFor('the laptop to show the stopped turn', async () => {
      if (await a.locator('.msg-turn-end.turn-interrupted').count()) return true;
      return notYet({
        laptopTurnEnds: await a.locator('.msg-turn-end').allInnerTexts(),
        tabletTurnEnds: await b.locator('.msg-turn-end').allInnerTexts(),
        tabletErrors: await b.locator('.composer [role=alert]').allInnerTexts(),
      });
    });
    await waitForQuiet(a);

    // The tablet leaves: the laptop still names it, and so does a window that never saw it here.
    await waitFor('both devices to be here', async () => (await devicesHere(a)) === 2);
    await b.close();
    await waitFor('the tablet to have left', async () => {
      const n = await devicesHere(a);
      return n === 1 || notYet(n);
    });
    const late = await laptop.open(url);
    await late.locator('.composer').waitFor();
    for (const page of [a, late]) {
      await waitFor('the tablet named on its message', async () => {
        const author = await authorOf(page, 'from the tablet').innerText();
        return author === 'Kitchen tablet' || notYet(author);
      });
      await waitFor('the tablet named on the turn it stopped', async () => {
        const stopped = await page.locator('.msg-turn-end.turn-interrupted').innerText();
        return /^Stopped from Kitchen tablet/.test(stopped) || notYet(stopped);
      });
    }
    await screenshot(late, 'device-names-after-leaving');
    await late.close();
  });

  it('renames this device from the header, and the new name shows live on other devices', async () => {
    const [laptop, tablet] = await Promise.all([s.device(), s.device()]);
    const a = await laptop.open(s.baton.signInUrl);
    await nameThisDevice(a, 'Desk laptop');
    const b = await tablet.open(s.baton.signInUrl);
    await nameThisDevice(b, 'Garden tablet');
    const created = await cli!.createSession({
      kind: 'claude',
      name: 'renamed chat',
      config: { cwd: work, env: claudeSessionEnv(api!) },
    });
    const url = `${s.baton.url}/s/${created.id}`;
    for (const page of [a, b]) {
      await page.goto(url);
      await page.locator('.composer').waitFor();
    }
    api!.script({ kind: 'text', text: 'Noted.' });
    await sendMessage(b, 'before the rename');
    await waitForQuiet(a);
    await authorOf(a, 'before the rename').filter({ hasText: 'Garden tablet' }).waitFor();

    // Rename from the header's device menu (not the Devices page).
    await b.getByRole('button', { name: 'This device: Garden tablet' }).click();
    await b.getByRole('menuitem', { name: 'Rename this device…' }).click();
    const dialog = b.getByRole('dialog', { name: 'Rename this device' });
    await dialog.getByLabel('Device name').fill('Shed tablet');
    await dialog.getByRole('button', { name: 'Save name' }).click();
    await b.getByRole('button', { name: 'This device: Shed tablet' }).waitFor();

    // Live on the laptop: in who is here and on the message, with no reload.
    await waitFor('the laptop to show the new name', async () => {
      const here = (await a.locator('.session-header .presence').getAttribute('title')) ?? '';
      const author = await authorOf(a, 'before the rename').innerText();
      return (here.includes('Shed tablet') && author === 'Shed tablet') || notYet({ here, author });
    });
    // And after the tablet left.
    await b.close();
    await waitFor('the tablet to have left', async () => {
      const n = await devicesHere(a);
      return n === 1 || notYet(n);
    });
    const late = await laptop.open(url);
    await authorOf(late, 'before the rename').filter({ hasText: 'Shed tablet' }).waitFor();
    await late.close();
  });
});
