import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ScriptedModelApi } from './harness/fake-model-api.js';
import { ClaudeBrowserSuite } from './harness/claude-browser-suite.js';
import { screenshot } from './harness/browser.js';
import { transcript } from './harness/app-page.js';
import { messageState, openChat, sendMessage, waitForQuiet } from './harness/chat.js';
import { notYet, waitFor } from './harness/wait-for.js';

const FIRST_REPLY =
  'Here is a long first answer that the model API holds in the middle for a while.';
const SECOND_REPLY = 'Answered the edited message.';

/** The user message element showing exactly `text` on `page`. */
function userMessage(page: Page, text: string) {
  return page.locator('.transcript .msg-user', {
    has: page.locator('.user-text', { hasText: new RegExp(`^${text}$`) }),
  });
}

/** The user texts every model call so far carried, as one string per call. */
function modelCallTexts(api: ScriptedModelApi): string[] {
  return api.modelCalls().map((call) => JSON.stringify(call));
}

// Issue 11, "one composer": queued messages can be edited or cancelled before they run. Real
// server, real Claude Code against a scripted model API that holds the first reply, so the
// messages sent meanwhile stay queued; two browser profiles are two devices.
describe('editing and cancelling queued messages (issue 11)', { timeout: 300_000 }, () => {
  const claude = new ClaudeBrowserSuite('queued');
  const s = claude.suite;

  it('cancel and edit a queued message: the model gets only the edited text, the other device sees the cancel live', async () => {
    const model = claude.api;
    const session = await claude.claudeSession('queue');
    const laptop = await openChat(s, session.id);
    const phone = await openChat(s, session.id);

    model.script(
      { kind: 'text', text: FIRST_REPLY, chunks: 4, delayMs: 20, holdAfterChunks: 2 },
      { kind: 'text', text: SECOND_REPLY, chunks: 2, delayMs: 10 },
    );
    await sendMessage(laptop, 'first question');
    await laptop.locator('.msg-assistant.streaming').first().waitFor({ timeout: 60_000 });

    // The turn is held: both messages wait in the queue, on both devices.
    await sendMessage(laptop, 'cancel me');
    await sendMessage(laptop, 'edit me');
    for (const page of [laptop, phone]) {
      for (const text of ['cancel me', 'edit me']) {
        await waitFor(`"${text}" to show as queued`, async () => {
          const state = await messageState(page, text);
          return state === 'queued' || notYet(state);
        });
      }
    }
    const cancel = userMessage(laptop, 'cancel me').getByRole('button', {
      name: 'Cancel this queued message',
    });
    const edit = userMessage(laptop, 'edit me').getByRole('button', {
      name: 'Edit this queued message',
    });
    await cancel.waitFor();
    await edit.waitFor();
    assert.equal(
      await phone.getByRole('button', { name: /this queued message/ }).count(),
      0,
      "the phone offers no Edit or Cancel on the laptop's messages",
    );
    await screenshot(laptop, 'chat-queued-edit-cancel');

    await cancel.click();
    for (const page of [laptop, phone]) {
      await waitFor(
        'the cancelled message to disappear',
        async () => (await userMessage(page, 'cancel me').count()) === 0,
      );
    }
    assert.ok(
      (await phone.locator('.msg-assistant.streaming').count()) > 0,
      'the phone saw the cancel while the turn still ran',
    );

    await edit.click();
    const box = laptop.getByRole('textbox', { name: 'Message' });
    await waitFor('the edited text to be back in the composer', async () => {
      const value = await box.inputValue();
      return value === 'edit me' || notYet(value);
    });
    for (const page of [laptop, phone]) {
      await waitFor(
        'the withdrawn original to disappear',
        async () => (await userMessage(page, 'edit me').count()) === 0,
      );
    }
    await box.fill('edited: say hello instead');
    await box.press('Enter');
    await waitFor('the edited message to show as queued', async () => {
      const state = await messageState(laptop, 'edited: say hello instead');
      return state === 'queued' || notYet(state);
    });

    model.release();
    const expected = [
      'user: first question',
      `agent: ${FIRST_REPLY}`,
      'user: edited: say hello instead',
      `agent: ${SECOND_REPLY}`,
    ];
    for (const page of [laptop, phone]) {
      await waitForQuiet(page);
      await waitFor('the whole conversation', async () => {
        const shown = await transcript(page);
        return shown.length === expected.length || notYet(shown);
      });
      assert.deepEqual(await transcript(page), expected);
    }
    const calls = modelCallTexts(model);
    assert.ok(
      calls.some((c) => c.includes('edited: say hello instead')),
      'the model received the edited text',
    );
    for (const text of ['cancel me', 'edit me']) {
      assert.ok(!calls.some((c) => c.includes(text)), `the model never received "${text}"`);
    }
  });
});
