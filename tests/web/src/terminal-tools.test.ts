import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, launchBrowser, screenshot } from './harness/browser.js';
import { openNewSession, waitForTerminal } from './harness/app-page.js';
import { tempDir } from './harness/paths.js';
import { notYet, waitFor } from './harness/wait-for.js';

/** Finds `text` with the terminal's search (the WebGL renderer draws no DOM text to read). */
async function find(page: Page, text: string): Promise<string> {
  const input = page.getByLabel('Find in terminal');
  // Cleared first, so a count left from the previous search is never read as this one's.
  await input.fill('');
  await waitFor('the search count to clear', async () =>
    ((await page.getByTestId('search-count').textContent()) ?? '') === '' ? true : undefined,
  );
  await input.fill(text);
  let count = '';
  await waitFor(`search results for ${text}`, async () => {
    count = (await page.getByTestId('search-count').textContent()) ?? '';
    return /of \d+|No results/.test(count);
  });
  return count;
}

// The terminal's tools: the WebGL renderer (and its fallback when the context is lost), find
// with Ctrl+Shift+F, copy and paste buttons.
describe('terminal tools', { timeout: 240_000 }, () => {
  let baton: BatonProcess;
  let browser: Browser;
  let laptop: BrowserDevice;

  before(async () => {
    baton = await BatonProcess.start(tempDir('terminal-tools'), {
      SHELL: '/bin/bash',
      HOME: tempDir('terminal-tools-home'),
    });
    browser = await launchBrowser();
    laptop = await BrowserDevice.create(browser);
    await laptop.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: baton.url,
    });
  });
  after(async () => {
    await laptop?.close().catch(() => {});
    await browser?.close();
    await baton?.close();
  });

  it('draws with WebGL when asked, finds, copies and pastes, and falls back to the DOM', async () => {
    const a = await laptop.open(baton.signInUrl);
    await a.evaluate(() => localStorage.setItem('baton.terminal.renderer', 'webgl'));
    await a.reload();
    await a.locator('.connection[data-status="connected"]').waitFor();
    // createTerminal waits for DOM text, which WebGL does not draw: create by hand.
    await openNewSession(a);
    await a.getByLabel('Kind').selectOption('terminal');
    await a.getByLabel('Name (optional)').fill('tools shell');
    await a.getByRole('button', { name: 'Create' }).click();
    await a.waitForURL(/\/s\/s_[a-z2-7]{20}$/);
    const host = a.getByTestId('terminal');
    await waitFor(
      'the WebGL renderer',
      async () => (await host.getAttribute('data-renderer')) === 'webgl',
    );
    assert.ok((await host.locator('canvas').count()) > 0, 'drawn on a canvas');

    await waitFor('the terminal to have the focus', () =>
      a.evaluate(() => document.activeElement?.closest('.terminal-host') !== null),
    );
    await a.keyboard.type('echo find-me-$((7*6))\n');

    // Find: Ctrl+Shift+F opens it from the terminal; the output line is the one match.
    await a.keyboard.press('Control+Shift+F');
    await a.getByLabel('Find in terminal').waitFor();
    await waitFor('the output to be found', async () => (await find(a, 'find-me-42')) === '1 of 1');
    assert.equal(await find(a, 'no-such-text'), 'No results');
    await screenshot(a, 'terminal-search');
    await a.getByLabel('Find in terminal').press('Escape');

    // Copy without a selection copies the screen; Paste types the clipboard into the shell.
    await a.getByRole('button', { name: 'Copy' }).click();
    await waitFor('the screen on the clipboard', async () =>
      (await a.evaluate(() => navigator.clipboard.readText())).includes('find-me-42'),
    );
    await a.evaluate(() => navigator.clipboard.writeText('echo pasted-$((5+5))'));
    await a.getByRole('button', { name: 'Paste' }).click();
    // Bracketed paste: the shell takes it as text and runs it on Enter, like a person's paste.
    // Enter only once the text is on the command line: the clipboard answers asynchronously.
    // (Read with find: the WebGL renderer has no text rows in the page.)
    await a.getByRole('button', { name: 'Find' }).click();
    await waitFor('the pasted text on the command line', async () => {
      const count = await find(a, 'echo pasted-');
      return count === '1 of 1' ? true : notYet(count);
    });
    await a.getByLabel('Find in terminal').press('Escape');
    // Escape gives the focus back to the terminal (no click: under load a click can wait on a
    // host that is still being laid out after the find bar closed).
    await waitFor('the terminal to have the focus again', () =>
      a.evaluate(() => document.activeElement?.closest('.terminal-host') !== null),
    );
    await a.keyboard.press('Enter');
    await a.getByRole('button', { name: 'Find' }).click();
    await waitFor('the pasted command to run', async () => {
      const count = await find(a, 'pasted-10');
      return count === '1 of 1' ? true : notYet(count);
    }).catch(async (error: unknown) => {
      await screenshot(a, 'terminal-paste-failure');
      throw error;
    });
    await a.getByLabel('Find in terminal').press('Escape');

    // The GPU context is lost (driver reset, too many contexts): the DOM renderer takes over.
    await a.evaluate(() => {
      for (const canvas of document.querySelectorAll('.terminal-host canvas')) {
        const gl = (canvas as HTMLCanvasElement).getContext('webgl2');
        gl?.getExtension('WEBGL_lose_context')?.loseContext();
      }
    });
    await waitFor(
      'the DOM renderer',
      async () => (await host.getAttribute('data-renderer')) === 'dom',
    );
    await waitForTerminal(a, 'pasted-10').catch(async (error: unknown) => {
      await screenshot(a, 'terminal-fallback-failure');
      throw error;
    });
  });
});
