import type { Page } from 'playwright-core';
import { isKnownLogEvent } from '@baton/protocol';
import type { BatonClient } from '@baton/client';
import { terminalText, openNewSession } from './app-page.js';
import { waitFor } from './wait-for.js';

/** Creates a terminal session from the sessions list on `page`; resolves with its id and URL. */
export async function createTerminal(
  page: Page,
  name: string,
): Promise<{ sessionId: string; url: string }> {
  await openNewSession(page);
  await page.getByLabel('Kind').selectOption('terminal');
  await page.getByLabel('Name (optional)').fill(name);
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/s\/s_[a-z2-7]{20}$/);
  await waitFor('the shell prompt', async () => (await terminalText(page)).length > 0);
  return { sessionId: page.url().split('/s/')[1] ?? '', url: page.url() };
}

/** The terminal inputs stored in a session's log, in order. */
export async function storedTerminalInputs(
  device: BatonClient,
  sessionId: string,
): Promise<{ data: string; report: boolean }[]> {
  const { events } = await device.fetchEvents(sessionId, 0, 5000);
  return events
    .filter(isKnownLogEvent)
    .flatMap((e) =>
      e.type === 'input' && 'data' in e.data.payload
        ? [{ data: e.data.payload.data, report: e.data.payload.report === true }]
        : [],
    );
}
