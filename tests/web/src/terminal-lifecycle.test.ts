import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BrowserSuite, bashEnv } from './harness/browser-suite.js';
import { screenshot } from './harness/browser.js';
import { terminalText, typeInTerminal, waitForTerminal } from './harness/app-page.js';
import { createTerminal } from './harness/terminal-session.js';
import { waitFor } from './harness/wait-for.js';

/** Whether the keyboard focus is in the terminal (xterm's hidden textarea). */
function terminalFocused(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      document.activeElement?.closest('.terminal-host') !== null &&
      document.activeElement !== document.body,
  );
}

// Bugs 8, 9 and 10, and the exit notice: focus on open, keys typed into an exited terminal are
// reported with Restart offered, and a restart leaves a separator every window and late joiner
// sees between the old output and the new prompt.
describe('a terminal from open to exit and restart', { timeout: 240_000 }, () => {
  const s = new BrowserSuite('terminal-lifecycle', { env: () => bashEnv('terminal-lifecycle') });

  it('has focus on open, says which keys were not delivered, and marks the restart', async () => {
    const laptop = await s.device();
    const a = await laptop.open(s.baton.signInUrl);
    const { url } = await createTerminal(a, 'lifecycle shell');

    // Bug 9: no click; the keys go straight to the shell.
    await waitFor('the terminal to have the focus', () => terminalFocused(a));
    await a.keyboard.type('echo typed-first-$((2+3))\n');
    await waitForTerminal(a, 'typed-first-5');

    // A window opened on the session's address has the focus too.
    const b = await laptop.open(url);
    await waitFor('the second window to show the screen', async () =>
      (await terminalText(b)).includes('typed-first-5'),
    );
    await waitFor('the second window to have the focus', () => terminalFocused(b));

    // The process exits: "process exited — Restart" inside the terminal, in every window.
    await typeInTerminal(a, 'exit 3\n');
    for (const page of [a, b]) {
      await page.getByTestId('terminal-exited').waitFor();
      assert.match(
        (await page.getByTestId('terminal-exited').textContent()) ?? '',
        /process exited with code 3/,
      );
    }

    // Bug 8: keys typed into the exited terminal are reported, with Restart offered.
    await typeInTerminal(a, 'echo into-the-void\n');
    const notice = a.getByTestId('dropped-keys');
    await waitFor('the notice about undelivered keys', async () =>
      /keystrokes? (was|were) not sent: the session is not running/.test(
        (await notice.textContent().catch(() => '')) ?? '',
      ),
    ).catch(async (error: unknown) => {
      await screenshot(a, 'terminal-dropped-failure');
      throw error;
    });
    await screenshot(a, 'terminal-exited');
    await notice.getByRole('button', { name: 'Restart' }).click();

    // Bug 10: a separator between the old output and the new prompt, in every window.
    for (const page of [a, b]) {
      await waitForTerminal(page, '── restarted ');
      await page.getByTestId('terminal-exited').waitFor({ state: 'detached' });
    }
    await typeInTerminal(a, 'echo second-run-$((4*4))\n');
    for (const page of [a, b]) await waitForTerminal(page, 'second-run-16');
    const ordered = (text: string): boolean => {
      const first = text.indexOf('typed-first-5');
      const separator = text.indexOf('── restarted ');
      const second = text.indexOf('second-run-16');
      return first >= 0 && first < separator && separator < second;
    };
    assert.ok(ordered(await terminalText(a)), await terminalText(a));
    assert.ok(!(await terminalText(a)).includes('into-the-void'), 'the dropped keys never ran');

    // A late joiner gets it from the server's screen.
    const phone = await s.device();
    const c = await phone.open(s.baton.signInUrl);
    await c.goto(url);
    await waitForTerminal(c, 'second-run-16');
    assert.ok(ordered(await terminalText(c)), await terminalText(c));
    await screenshot(c, 'terminal-restarted');
  });
});
