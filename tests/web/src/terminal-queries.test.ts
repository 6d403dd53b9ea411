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

    // Asked twice, from the window that types and then from the other one. B is busy meanwhile
    // (a slow page): it draws the first question only after its user started typing the second,
    // when B is the writer, and its late answer to the first must not be typed.
    await b.locator('.terminal-host').click();
    await b.evaluate(() => {
      setTimeout(() => {
        const end = performance.now() + 4000;
        while (performance.now() < end);
      });
    });
    await typeInTerminal(a, `printf '\\033[6n'; read -rs -d R ans; printf 'got%q\\n' "$ans"\n`);
    await waitForTerminal(a, "got$'\\E[");
    // No click: B's keys are queued while it is busy, and a page handles input first.
    await b.keyboard.type(`printf '\\033[6n'; read -rs -d R ans; printf 'two%q\\n' "$ans"\n`);
    await waitForTerminal(b, "two$'\\E[");
    // Asked at once by a key press: xterm draws the first output after a key inside that write
    // call, and the answer is sent from there. The window must draw that output once, and
    // answer once (it drew the question twice, and answered twice, with its log's writer
    // re-entered by the send). Asked a few times: whether xterm draws at once depends on nothing
    // else being drawn between the key and the question.
    await typeInTerminal(
      b,
      `for i in ${'1 '.repeat(KEY_QUERIES)}; do read -rsn1; printf '\\033[6n'; read -rs -d R ans; printf 'key%q\\n' "$ans"; done\n`,
    );
    await waitForTerminal(a, 'read -rsn1;');
    for (let i = 1; i <= KEY_QUERIES; i++) {
      await b.keyboard.press('x');
      await waitFor(`answer ${i} to a query asked by a key`, async () => {
        const answered = (await terminalText(b)).split("key$'\\E[").length - 1;
        return answered >= i ? true : notYet({ answered });
      });
    }
    // A marker typed after all: whatever a second answer would have typed lands before it.
    await typeInTerminal(b, 'echo done-$((3*4))\n');
    for (const page of [a, b]) await waitForTerminal(page, 'done-12');

    cli = await nodeDevice(s.baton.url, s.baton.ownerToken);
    const inputs = await storedTerminalInputs(cli, sessionId);
    // Every answer that reached the shell is stored, sent as a report (never as keys: it did not
    // come from a key event). Ignored reports are not stored.
    const reports = inputs.filter(isCursorAnswer);
    assert.equal(
      reports.length,
      2 + KEY_QUERIES,
      `one answer per query: ${JSON.stringify(reports)}`,
    );
    assert.ok(
      reports.every((r) => r.report),
      `answers are sent as reports: ${JSON.stringify(reports)}`,
    );
    const text = await terminalText(a);
    assert.ok(!/\^\[\[\d+;\d+R/.test(text), `no stray answer typed into the shell:\n${text}`);

    // A reload replays history: the old queries in it are not answered again.
    await a.reload();
    await waitForTerminal(a, 'done-12');
    await typeInTerminal(a, 'echo after-reload\n');
    await waitForTerminal(b, 'after-reload');
    const later = await storedTerminalInputs(cli, sessionId);
    assert.equal(
      later.filter(isCursorAnswer).length,
      2 + KEY_QUERIES,
      'no answer after the reload',
    );

    // A key that reads like an answer (Ctrl+F3 is `CSI 1;5 R`), pressed in the window that is not
    // the responder, is typed: it came from a key event.
    await typeInTerminal(a, `read -rs -d R key; printf 'key%q\\n' "$key"\n`);
    await waitForTerminal(b, 'read -rs -d R key;');
    await b.locator('.terminal-host').click();
    await b.keyboard.press('Control+F3');
    await waitForTerminal(a, "key$'\\E[1;5'");
    await screenshot(a, 'terminal-query-answered');
  });
});

/** How many times the key-asked query is asked. */
const KEY_QUERIES = 3;

/** A cursor position report (`ESC [ row ; col R`), however it was sent. */
function isCursorAnswer(input: { data: string }): boolean {
  return /^\x1b\[\d+;\d+R$/.test(input.data);
}
