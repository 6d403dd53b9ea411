import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BrowserSuite, bashEnv } from './harness/browser-suite.js';
import { screenshot } from './harness/browser.js';
import { typeInTerminal, waitForTerminal } from './harness/app-page.js';
import { createTerminal } from './harness/terminal-session.js';
import { notYet, waitFor } from './harness/wait-for.js';

/** The session's size as the terminal bar shows it, and whose it is. */
async function sizeNow(page: Page): Promise<{ cols: number; rows: number; whose: string }> {
  const text = (await page.getByTestId('terminal-size-now').textContent()) ?? '';
  const m = /^(\d+)×(\d+)(?: · (.*))?$/.exec(text.trim());
  if (!m) throw new Error(`unexpected size text ${JSON.stringify(text)}`);
  return { cols: Number(m[1]), rows: Number(m[2]), whose: m[3] ?? '' };
}

/** Where the drawn screen ends, and the window's width, in CSS pixels. */
function drawnWidth(page: Page): Promise<{ right: number; viewport: number; scrollable: boolean }> {
  return page.evaluate(() => {
    const screen = document.querySelector('.terminal-host .xterm-screen')!;
    const host = document.querySelector<HTMLElement>('.terminal-host')!;
    return {
      right: screen.getBoundingClientRect().right,
      viewport: window.innerWidth,
      scrollable: host.scrollWidth > host.clientWidth,
    };
  });
}

// Bug 6: a phone next to a wide desktop window sees every column (fitted or panned, never
// cropped), and the desktop keeps its size when the phone types unless the phone chose Fit to me.
describe('terminal size with a phone and a desktop', { timeout: 240_000 }, () => {
  const s = new BrowserSuite('terminal-size', {
    env: () => bashEnv('terminal-size'),
    checkPageErrors: false,
  });

  it('shows all columns on the phone and follows the writer or the window that chose Fit to me', async () => {
    const desktop = await s.device();
    const phone = await s.device({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 3,
    });
    const d = await desktop.open(s.baton.signInUrl);
    const { url } = await createTerminal(d, 'wide shell');
    await typeInTerminal(d, 'echo desk-$((1+1))\n');
    await waitForTerminal(d, 'desk-2');
    await waitFor('the desktop to own the size', async () => {
      const now = await sizeNow(d);
      return now.whose === 'this window' && now.cols > 80 ? true : notYet(now);
    });
    const wide = await sizeNow(d);

    const p = await phone.open(s.baton.signInUrl);
    await p.goto(url);
    await waitForTerminal(p, 'desk-2');
    // Every column is drawn inside the phone's width: the text is fitted to it.
    await waitFor('the phone to fit all columns', async () => {
      const w = await drawnWidth(p);
      const now = await sizeNow(p);
      return w.right <= w.viewport && now.cols === wide.cols ? true : notYet({ ...w, ...now });
    }).catch(async (error: unknown) => {
      await screenshot(p, 'terminal-size-phone-failure');
      throw error;
    });
    await screenshot(p, 'terminal-phone-fitted');

    // Pan instead: the font stays and the terminal scrolls sideways.
    await p.getByLabel('When wider than this window').selectOption('pan');
    await waitFor('the phone to pan', async () => {
      const w = await drawnWidth(p);
      return w.right > w.viewport && w.scrollable ? true : notYet(w);
    });
    await p.getByLabel('When wider than this window').selectOption('scale');

    // The phone types: the desktop keeps its size (it follows the writer only when asked to).
    // A resize the phone's keys caused would be in the log before their echo.
    await typeInTerminal(p, 'echo phone-$((2+2))\n');
    await waitForTerminal(d, 'phone-4');
    assert.equal((await sizeNow(d)).cols, wide.cols, 'the desktop did not shrink');
    assert.equal((await sizeNow(d)).whose, 'this window');
    await typeInTerminal(d, 'echo desk-again\n');
    await waitForTerminal(p, 'desk-again');

    // The phone chooses Fit to me: its size wins, also when the desktop types.
    await p.getByLabel('Size policy').selectOption('fit-me');
    await waitFor('the phone size to be in use', async () => {
      const now = await sizeNow(d);
      return now.cols < 60 && now.whose.endsWith('(fit to it)') ? true : notYet(now);
    });
    await typeInTerminal(d, 'echo desk-types-$((3+3))\n');
    await waitForTerminal(p, 'desk-types-6');
    const narrow = await sizeNow(d);
    assert.ok(narrow.cols < 60, `the phone's size stays in force: ${JSON.stringify(narrow)}`);
    assert.match((await sizeNow(p)).whose, /^this window \(fit to it\)$/);
    await screenshot(d, 'terminal-desktop-fit-to-phone');

    // Back to following the writer: the desktop typed last, so its size comes back.
    await p.getByLabel('Size policy').selectOption('follow');
    await waitFor('the desktop size again', async () => {
      const now = await sizeNow(d);
      return now.cols === wide.cols ? true : notYet(now);
    });
  });
});
