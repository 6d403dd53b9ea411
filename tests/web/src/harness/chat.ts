import type { Page } from 'playwright-core';
import type { BrowserSuite } from './browser-suite.js';
import { waitFor } from './wait-for.js';

/** A new device of the suite (its own browser profile), signed in, showing a session's chat. */
export async function openChat(suite: BrowserSuite, sessionId: string): Promise<Page> {
  const device = await suite.device();
  const page = await device.open(suite.baton.signInUrl);
  await page.goto(`${suite.baton.url}/s/${sessionId}`);
  await page.locator('.composer').waitFor();
  return page;
}

/** Types a message into the chat composer on `page` and sends it with Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/** Waits until the user message `text` is shown on `page` and returns its state label. */
export async function messageState(page: Page, text: string, timeoutMs = 10_000): Promise<string> {
  const item = page.locator('.transcript .msg-user', {
    has: page.locator('.user-text', { hasText: text }),
  });
  await item.first().waitFor({ timeout: timeoutMs });
  return (await item.first().getAttribute('data-state')) ?? '';
}

/**
 * Waits until the agent is no longer working on `page` (no running turn, nothing queued).
 * Right after a send this can already hold, before the turn has started: wait for something
 * of the turn (its reply) first when what follows depends on the turn having run.
 */
export async function waitForQuiet(page: Page, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    'the agent to finish',
    async () =>
      (await page
        .locator(
          '.msg-working, .msg-assistant.streaming, .msg-user.queued, .msg-user.state-pending',
        )
        .count()) === 0,
    timeoutMs,
  );
}
