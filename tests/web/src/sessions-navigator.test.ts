import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatonClient } from '@baton/client';
import { BrowserSuite } from './harness/browser-suite.js';
import { connected, screenshot } from './harness/browser.js';
import { nodeDevice } from './harness/node-device.js';
import { notYet, waitFor } from './harness/wait-for.js';

const QUIET_SHELL = { shell: '/bin/sh', args: ['-c', 'exec sleep 100000'] };
const TALKING_SHELL = { shell: '/bin/sh', args: ['-c', 'echo ready to build; exec sleep 100000'] };

// Issue 11's design: the sessions list as a navigator (grouped, latest first, a preview line,
// actions behind an accessible "⋯" menu, "+ New" as one button opening a dialog, a sidebar
// beside the open session on a wide screen), and a phone's session with one bar.
describe(
  'the sessions navigator and the one-bar phone session (issue 11)',
  { timeout: 300_000 },
  () => {
    const s = new BrowserSuite('navigator', {});
    let cli: BatonClient | undefined;
    s.closeFirst(async () => cli?.close());

    it('groups the sessions, shows their last line and keeps actions behind a keyboard menu', async () => {
      cli = await nodeDevice(s.baton.url, s.baton.ownerToken);
      const ended = await cli.createSession({
        kind: 'terminal',
        name: 'old job',
        config: QUIET_SHELL,
      });
      await cli.stopSession(ended.id);
      const first = await cli.createSession({
        kind: 'terminal',
        name: 'first',
        config: TALKING_SHELL,
      });
      const laptop = await s.device();
      const page = await laptop.open(s.baton.signInUrl);
      // Its last line is its preview; once it is shown, nothing more happens in it.
      await page
        .locator('.session-card', { hasText: 'first' })
        .locator('.session-preview', { hasText: 'ready to build' })
        .waitFor();
      const second = await cli.createSession({
        kind: 'terminal',
        name: 'second',
        config: QUIET_SHELL,
      });

      const groups = async () =>
        page.locator('.sessions-page .session-group').evaluateAll((sections) =>
          sections.map((g) => ({
            group: g.getAttribute('data-group'),
            names: [...g.querySelectorAll('.session-name')].map((a) => a.textContent),
          })),
        );
      const want = JSON.stringify([
        { group: 'running', names: ['second', 'first'] },
        { group: 'ended', names: ['old job'] },
      ]);
      await waitFor('the sessions grouped, latest first', async () => {
        const seen = await groups();
        return JSON.stringify(seen) === want || notYet(seen);
      });

      // No action buttons on the row: they are behind "⋯", a menu the keyboard can drive.
      const row = page.locator('.session-card', { hasText: 'old job' });
      assert.equal(await row.getByRole('button', { name: 'Delete' }).count(), 0);
      const more = row.getByRole('button', { name: 'Actions for session old job' });
      await more.focus();
      await page.keyboard.press('Enter');
      const menu = page.getByRole('menu', { name: 'Actions for session old job' });
      await menu.waitFor();
      assert.deepEqual(await menu.getByRole('menuitem').allInnerTexts(), [
        'Rename',
        'Restart',
        'Delete',
      ]);
      assert.equal(
        await page.evaluate(() => document.activeElement?.textContent),
        'Rename',
        'the first item has the focus',
      );
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Restart');
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
        'Actions for session old job',
        'Escape gives the focus back to the button',
      );
      await screenshot(page, 'sessions-navigator');

      // Restart from the menu moves the session to Running.
      await more.click();
      await page.getByRole('menuitem', { name: 'Restart' }).click();
      await waitFor('old job to be running again', async () => {
        const seen = await groups();
        return seen[0]?.names.includes('old job') || notYet(seen);
      });

      // "+ New" is one button; the form is in a dialog.
      assert.equal(await page.getByLabel('Kind').count(), 0, 'no form on the list itself');
      await page.getByRole('button', { name: 'New session', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'New session' });
      await dialog.getByLabel('Kind').waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // A wide screen shows the navigator beside the open session, the open one marked.
      await page.locator('.session-card .session-name', { hasText: 'second' }).click();
      await page.waitForURL(`${s.baton.url}/s/${second.id}`);
      const sidebar = page.getByRole('navigation', { name: 'All sessions' });
      await sidebar
        .getByRole('link', { name: 'second' })
        .and(page.locator('[aria-current="page"]'))
        .waitFor();
      await sidebar.getByRole('link', { name: 'first' }).click();
      await page.waitForURL(`${s.baton.url}/s/${first.id}`);
      assert.equal(await page.locator('.session-header h1').innerText(), 'first');
      await screenshot(page, 'session-with-sidebar');
    });

    it('gives a phone one bar: back, name, status, who is here and "⋯"', async () => {
      const session = await cli!.createSession({
        kind: 'terminal',
        name: 'pocket',
        config: QUIET_SHELL,
      });
      const phone = await s.device({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        colorScheme: 'dark',
      });
      const page = await phone.open(s.baton.signInUrl);
      await page.getByRole('button', { name: /^Keep “/ }).click();
      await page.goto(`${s.baton.url}/s/${session.id}`);
      await connected(page);
      await page.locator('.terminal-host').waitFor();
      assert.equal(await page.locator('.app-header').count(), 0, 'no second bar');
      assert.equal(await page.getByRole('navigation', { name: 'All sessions' }).count(), 0);
      const bar = page.locator('.session-header');
      await bar.locator('.badge[data-status="running"]').waitFor();
      await waitFor('this device among who is here', async () => {
        const label = (await bar.locator('.presence').getAttribute('title')) ?? '';
        return /\(this device\), tab/.test(label) || notYet(label);
      });
      const height = await bar.evaluate((el) => el.getBoundingClientRect().height);
      assert.ok(height < 60, `one row (${height}px)`);
      // What the app's bar had is in the menu.
      await bar.getByRole('button', { name: 'Session actions', exact: true }).click();
      const items = await page.getByRole('menuitem').allInnerTexts();
      for (const item of ['Stop', 'All sessions', 'Devices'])
        assert.ok(items.includes(item), `${item} in ${items.join(', ')}`);
      await page.keyboard.press('Escape');
      // Typing / Watching instead of "Read-only: off".
      const mode = page.getByRole('group', { name: 'This window' });
      await mode.getByRole('button', { name: 'Typing', pressed: true }).waitFor();
      await screenshot(page, 'phone-session-one-bar');
    });
  },
);
