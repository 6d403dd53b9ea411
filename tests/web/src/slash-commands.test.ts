import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClaudeBrowserSuite } from './harness/claude-browser-suite.js';
import { openChat, sendMessage, waitForQuiet } from './harness/chat.js';
import { notYet, waitFor } from './harness/wait-for.js';

// Issue 12: slash commands and settings from the web app. Real server, real Claude Code against
// the scripted model API; two browser profiles are two devices.
describe('slash commands, model and mode in the web app (issue 12)', { timeout: 300_000 }, () => {
  const claude = new ClaudeBrowserSuite('slash');
  const s = claude.suite;

  it('the composer completes the commands Claude offers by keyboard; the output and a mode change show on the other device', async () => {
    const model = claude.api;
    const session = await claude.claudeSession('slash');
    const laptop = await openChat(s, session.id);
    const phone = await openChat(s, session.id);

    // Claude says which commands it has when its process starts.
    model.script({ kind: 'text', text: 'ready' });
    await sendMessage(laptop, 'hello');
    await waitForQuiet(laptop);

    const box = laptop.getByRole('textbox', { name: 'Message' });
    await box.fill('/cont');
    const list = laptop.getByRole('listbox', { name: 'Slash commands' });
    await list.waitFor();
    const options = await list.getByRole('option').allTextContents();
    assert.ok(
      options.some((o) => o.startsWith('/context')),
      `offered: ${options.join(', ')}`,
    );
    assert.equal(
      await box.getAttribute('aria-activedescendant'),
      await list.getByRole('option').first().getAttribute('id'),
    );
    await box.press('Escape');
    await list.waitFor({ state: 'detached' });
    await box.fill('/conte');
    await list.waitFor();
    await box.press('Tab');
    await waitFor('the picked command in the box', async () => {
      const value = await box.inputValue();
      return value === '/context ' || notYet(value);
    });
    await box.press('Enter');

    for (const page of [laptop, phone]) {
      await page
        .locator('.msg-assistant', {
          has: page.locator('.msg-command', { hasText: 'Output of /context' }),
        })
        .waitFor({ timeout: 60_000 });
    }

    await laptop.getByRole('button', { name: 'Change' }).click();
    await laptop.getByLabel('Permission mode').selectOption('acceptEdits');
    await laptop.getByRole('button', { name: 'Apply from next turn' }).click();
    await waitFor('the phone to show the new mode', async () => {
      const shown = (await phone.locator('.agent-settings-now').textContent()) ?? '';
      return shown.includes('Mode acceptEdits') || notYet(shown);
    });
    await phone
      .locator('.msg-notice', { hasText: 'set the permission mode to acceptEdits' })
      .waitFor();
  });
});
