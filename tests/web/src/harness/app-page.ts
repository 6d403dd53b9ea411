import type { Page } from 'playwright-core';
import { waitFor } from './wait-for.js';

/** The text of the terminal on `page`, line by line, trailing blanks trimmed. */
export async function terminalText(page: Page): Promise<string> {
  const text = await page.locator('.terminal-host .xterm-rows').innerText();
  return text
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

/** Waits until the terminal on `page` shows `needle`. */
export async function waitForTerminal(
  page: Page,
  needle: string,
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(
    `terminal to show ${JSON.stringify(needle)}`,
    async () => (await terminalText(page)).includes(needle),
    timeoutMs,
  );
}

/** Types into the terminal on `page` as a person would (focus, then keys). */
export async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.locator('.terminal-host').click();
  await page.keyboard.type(text);
}

/** The session card of `name` on the sessions list. */
export function sessionCard(page: Page, name: string) {
  return page.locator('.session-card', { has: page.locator('.session-name', { hasText: name }) });
}

/** The status the sessions list shows for `name`. */
export async function listedStatus(page: Page, name: string): Promise<string | null> {
  return sessionCard(page, name).getAttribute('data-status', { timeout: 1000 });
}

/** The transcript on `page` as `role: text` lines: what a person reads, in order. */
export async function transcript(page: Page): Promise<string[]> {
  return page.locator('.transcript .msg-user, .transcript .msg-assistant').evaluateAll((items) =>
    items.map((li) => {
      const user = li.classList.contains('msg-user');
      const text =
        (user
          ? li.querySelector('.user-text')?.textContent
          : li.querySelector('.markdown')?.textContent) ?? '';
      return `${user ? 'user' : 'agent'}: ${text.trim()}`;
    }),
  );
}

/**
 * Starts recording, inside the page, every user message element that is removed from the
 * transcript and not put back: a message that disappears even for a moment is a bug (seed 002).
 */
export async function watchForVanishingMessages(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __vanished: string[]; __reloadMarker: boolean };
    w.__vanished = [];
    w.__reloadMarker = true;
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.removedNodes) {
          if (!(node instanceof HTMLElement)) continue;
          const id = node.dataset['inputId'];
          if (id && !document.querySelector(`[data-input-id="${CSS.escape(id)}"]`)) {
            w.__vanished.push(`${id}: ${node.textContent ?? ''}`);
          }
        }
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });
}

/** Messages that vanished since `watchForVanishingMessages`; also proves the page never reloaded. */
export async function vanishedMessages(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __vanished?: string[]; __reloadMarker?: boolean };
    if (!w.__reloadMarker) throw new Error('the page reloaded: its watch marker is gone');
    return w.__vanished ?? [];
  });
}

/**
 * The session views this browser saved for offline use (IndexedDB, store `views`), as JSON
 * text: every session's, or only `sessionId`'s ('' when none).
 */
export async function savedViewsText(page: Page, sessionId?: string): Promise<string> {
  return page.evaluate(
    (only) =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('baton');
        open.onerror = () => reject(open.error ?? new Error('no database'));
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('views')) return resolve('');
          const all = db.transaction('views').objectStore('views').getAll();
          all.onsuccess = () =>
            resolve(
              (all.result as { key: string; value: unknown }[])
                .filter((row) => row.key !== 'views/#list')
                .filter((row) => only === undefined || row.key === `views/${only}`)
                .map((row) => JSON.stringify(row.value))
                .join('\n'),
            );
        };
      }),
    sessionId,
  );
}

/** Opens the new-session form ("+ New") on the sessions list or the sidebar. */
export async function openNewSession(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'New session', exact: true }).click();
  await page.getByRole('dialog', { name: 'New session' }).waitFor();
}

/** Chooses `action` ("Rename", "Stop", "Restart", "Delete") from the open session's "⋯" menu. */
export async function chooseSessionAction(page: Page, action: string): Promise<void> {
  await page.getByRole('button', { name: 'Session actions', exact: true }).click();
  await page.getByRole('menuitem', { name: action, exact: true }).click();
}

/** The names of the items of the open session's "⋯" menu (opened, read and closed again). */
export async function sessionActionNames(page: Page): Promise<string[]> {
  const button = page.getByRole('button', { name: 'Session actions', exact: true });
  if ((await button.count()) === 0) return [];
  await button.click();
  const names = await page.getByRole('menuitem').allInnerTexts();
  await page.keyboard.press('Escape');
  return names.map((n) => n.trim());
}
