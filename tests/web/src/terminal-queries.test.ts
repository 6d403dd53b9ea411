import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatonClient } from '@baton/client';
import { BrowserSuite, bashEnv } from './harness/browser-suite.js';
import { screenshot } from './harness/browser.js';
import { terminalText, typeInTerminal, waitForTerminal } from './harness/app-page.js';
import { nodeDevice } from './harness/node-device.js';
import { createTerminal, storedTerminalInputs } from './harness/terminal-session.js';
import { notYet, waitFor } from './harness/wait-for.js';

// Bug 5: a program that asks the terminal where the cursor is (fzf --height, prompt_toolkit,
// vim's detection) gets exactly one answer with two windows open: every window's xterm answers,
// and the server types only the responder window's.
describe('programs that query the terminal', { timeout: 180_000 }, () => {
  const s = new BrowserSuite('terminal-queries', {
    env: () => bashEnv('terminal-queries'),
    checkPageErrors: false,
  });
  let cli: BatonClient | undefined;
  s.closeFirst(async () => cli?.close());

  it('get exactly one answer with two windows open, and a reload does not answer again', async () => {
    const laptop = await s.device();
    const desktop = await s.device();
    const a = await laptop.open(s.baton.signInUrl);
    const { sessionId, url } = await createTerminal(a, 'asking shell');
    const b = await desktop.open(s.baton.signInUrl);
    await b.goto(url);
    await waitFor('the shell prompt in B', async () => (await terminalText(b)).length > 0);
    await waitFor('both windows attached', async () => {
      const windows = await a.locator('.devices .window-list > li').count();
      return windows === 2 ? true : notYet({ windows });
    });

    // Asked twice, from the window that types and then from the other one.
    await typeInTerminal(a, `printf '\\033[6n'; read -rs -d R ans; printf 'got%q\\n' "$ans"\n`);
    await waitForTerminal(a, "got$'\\E[");
    await typeInTerminal(b, `printf '\\033[6n'; read -rs -d R ans; printf 'two%q\\n' "$ans"\n`);
    await waitForTerminal(b, "two$'\\E[");
    // A marker typed after both: whatever a second answer would have typed lands before it.
    await typeInTerminal(b, 'echo done-$((3*4))\n');
    for (const page of [a, b]) await waitForTerminal(page, 'done-12');

    cli = await nodeDevice(s.baton.url, s.baton.ownerToken);
    const inputs = await storedTerminalInputs(cli, sessionId);
    // Every answer that reached the shell is stored: the responder's reports, and an answer the
    // typing window sent as keys because it came within KEY_WINDOW_MS of its own key press (that
    // window is the responder then). Ignored reports are not stored.
    const reports = inputs.filter(isCursorAnswer);
    assert.equal(reports.length, 2, `one answer per query: ${JSON.stringify(reports)}`);
    assert.ok(
      reports.every((r) => /^\x1b\[\d+;\d+R$/.test(r.data)),
      `cursor reports: ${JSON.stringify(reports)}`,
    );
    const text = await terminalText(a);
    assert.ok(!/\^\[\[\d+;\d+R/.test(text), `no stray answer typed into the shell:\n${text}`);

    // A reload replays history: the old queries in it are not answered again.
    await a.reload();
    await waitForTerminal(a, 'done-12');
    await typeInTerminal(a, 'echo after-reload\n');
    await waitForTerminal(b, 'after-reload');
    const later = await storedTerminalInputs(cli, sessionId);
    assert.equal(later.filter(isCursorAnswer).length, 2, 'no answer after the reload');
    await screenshot(a, 'terminal-query-answered');
  });
});

/** A cursor position report (`ESC [ row ; col R`), however it was sent. */
function isCursorAnswer(input: { data: string }): boolean {
  return /^\x1b\[\d+;\d+R$/.test(input.data);
}
