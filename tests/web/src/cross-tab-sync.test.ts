import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { isKnownLogEvent, type SessionId } from '@baton/protocol';
import { startFakeAnthropic, type ScriptedModelApi } from './harness/fake-model-api.js';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, connected, launchBrowser, screenshot } from './harness/browser.js';
import { savedViewsText, transcript } from './harness/app-page.js';
import { messageState, sendMessage, waitForQuiet } from './harness/chat.js';
import { claudeServerEnv, claudeSessionEnv } from './harness/claude-env.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';
import { notYet, waitFor } from './harness/wait-for.js';

/** The user messages the server's log holds for a session, in order. */
async function typedInLog(cli: BatonClient, sessionId: SessionId): Promise<string[]> {
  const { events } = await cli.fetchEvents(sessionId, 0, 5000);
  return events
    .filter(isKnownLogEvent)
    .flatMap((e) => (e.type === 'input' && 'text' in e.data.payload ? [e.data.payload.text] : []));
}

/**
 * Starts recording, in `page`, the wall-clock time (ms since the epoch, the same clock in every
 * window of the browser) of each animation frame, and of the first moment the transcript holds
 * a user message with `text`.
 */
async function watchFor(page: Page, text: string): Promise<void> {
  await page.evaluate((wanted) => {
    const w = window as unknown as { frames_: number[]; shownAt: number | undefined };
    w.frames_ = [];
    w.shownAt = undefined;
    const now = (): number => performance.timeOrigin + performance.now();
    const tick = (): void => {
      w.frames_.push(now());
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const seen = (): boolean =>
      [...document.querySelectorAll('.transcript .msg-user .user-text')].some(
        (el) => el.textContent?.trim() === wanted,
      );
    const observer = new MutationObserver(() => {
      if (w.shownAt === undefined && seen()) {
        w.shownAt = now();
        observer.disconnect();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }, text);
}

async function shownAt(page: Page): Promise<number | undefined> {
  return page.evaluate(() => (window as unknown as { shownAt: number | undefined }).shownAt);
}

async function framesOf(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { frames_: number[] }).frames_);
}

// The windows of one browser profile share their outbox over a BroadcastChannel: a message typed
// in one shows in the other within a frame while the server is down (so nothing can have come
// from it), and is stored once when it is back. And the outbox an earlier build kept in
// localStorage is carried over to IndexedDB and delivered.
describe('cross-tab sync and the IndexedDB outbox', { timeout: 300_000 }, () => {
  let api: ScriptedModelApi;
  let baton: BatonProcess;
  let browser: Browser;
  let laptop: BrowserDevice;
  let cli: BatonClient;
  const work = tempDir('tabs-work');

  before(async () => {
    api = await startFakeAnthropic();
    baton = await BatonProcess.start(tempDir('tabs'), claudeServerEnv(api, tempDir('tabs-env')));
    browser = await launchBrowser();
    laptop = await BrowserDevice.create(browser);
    cli = await nodeDevice(baton.url, baton.ownerToken);
  });
  after(async () => {
    await cli?.close();
    await laptop?.close().catch(() => {});
    await browser?.close();
    await baton?.close();
    await api?.close();
  });

  async function claudeSession(name: string): Promise<SessionId> {
    const session = await cli.createSession({
      kind: 'claude',
      name,
      config: { cwd: work, env: claudeSessionEnv(api) },
    });
    return session.id;
  }

  it('a second window shows a message typed in the first within a frame, without the server', async (t) => {
    const sessionId = await claudeSession('two windows');
    const a = await laptop.open(baton.signInUrl);
    await a.goto(`${baton.url}/s/${sessionId}`);
    await a.locator('.composer').waitFor();
    const b = await laptop.open(`${baton.url}/s/${sessionId}`);
    await b.locator('.composer').waitFor();

    // Without the server nothing reaches window B but what window A tells it directly.
    await baton.kill();
    for (const page of [a, b])
      await page.locator('.connection[data-status="reconnecting"]').waitFor({ timeout: 30_000 });

    await watchFor(a, 'typed in window A');
    await watchFor(b, 'typed in window A');
    await sendMessage(a, 'typed in window A');
    assert.equal(await messageState(b, 'typed in window A'), 'pending');
    const inA = await waitFor('window A to show its message', () => shownAt(a));
    const inB = await waitFor('window B to show the message', () => shownAt(b));
    // Window B's frames from the moment window A showed the message to the moment B did.
    const framesBetween = (await framesOf(b)).filter((t) => t > inA && t < inB).length;
    t.diagnostic(
      `cross-tab: window B showed the message ${(inB - inA).toFixed(1)} ms after window A, ` +
        `${framesBetween} of B's frames in between`,
    );
    assert.ok(
      framesBetween <= 1,
      `window B showed the message within one frame of A (frames between: ${framesBetween})`,
    );
    await screenshot(b, 'cross-tab-pending');

    api.script({ kind: 'text', text: 'Got it once.', chunks: 2, delayMs: 50 });
    await baton.restart();
    await connected(a, 60_000);
    await connected(b, 60_000);
    await waitFor(
      'the message to be sent',
      async () => (await messageState(a, 'typed in window A')) !== 'pending',
      60_000,
    );
    await waitForQuiet(a);
    assert.deepEqual(await typedInLog(cli, sessionId), ['typed in window A'], 'stored once');
    for (const page of [a, b]) {
      await waitFor('both windows to show the answer', async () =>
        (await transcript(page)).includes('agent: Got it once.'),
      );
      const users = (await transcript(page)).filter((line) => line.startsWith('user: '));
      assert.deepEqual(users, ['user: typed in window A'], 'shown once in every window');
    }
    await a.close();
    await b.close();
  });

  it('a draft typed in one window shows in the other, and clears when it is sent', async () => {
    const sessionId = await claudeSession('shared draft');
    const a = await laptop.open(`${baton.url}/s/${sessionId}`);
    await a.locator('.composer').waitFor();
    const b = await laptop.open(`${baton.url}/s/${sessionId}`);
    await b.locator('.composer').waitFor();
    const boxOf = (page: Page) => page.getByRole('textbox', { name: 'Message' });
    // The person is in window A: window B's box is not being typed in.
    await b.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await boxOf(a).fill('half a thought');
    await waitFor(
      'window B to show the draft',
      async () => (await boxOf(b).inputValue()) === 'half a thought',
    );
    // A box being typed in keeps its own text.
    await boxOf(b).focus();
    await boxOf(a).fill('half a thought, more');
    await boxOf(a)
      .press('Enter')
      .catch(() => {});
    await waitFor('window A to have sent it', async () => (await boxOf(a).inputValue()) === '');
    assert.equal(await boxOf(b).inputValue(), 'half a thought', 'the focused box was not changed');
    await waitForQuiet(a);
    await b.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await boxOf(a).fill('next one');
    await waitFor(
      'window B to follow again',
      async () => (await boxOf(b).inputValue()) === 'next one',
    );
    await a.close();
    await b.close();
  });

  it('the outbox queued in localStorage by the earlier build is carried over and delivered', async () => {
    const sessionId = await claudeSession('carried over');
    const page = await laptop.open(`${baton.url}/`);
    const deviceId = await page.evaluate(
      () =>
        (JSON.parse(localStorage.getItem('baton.device') ?? '{}') as { deviceId: string }).deviceId,
    );
    await page.close();

    // What the earlier build left: one queued message, one corrupt entry, one of another device.
    const inputId = 'in_carried_over_0001';
    const record = {
      inputId,
      sessionId,
      payload: { kind: 'message', text: 'queued by the earlier build' },
      createdAt: Date.now() - 60_000,
      order: 1,
    };
    const own = `baton.outbox.${deviceId}.`;
    const warnings: string[] = [];
    laptop.context.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    // Seeded from a page of the same origin that runs no app (the health JSON): an app there
    // could carry the entries over itself and be closed before its warning reached the test.
    const seed = await laptop.context.newPage();
    await seed.goto(`${baton.url}/api/health`);
    await seed.evaluate(
      ({ own, record }) => {
        localStorage.setItem(own + record.inputId, JSON.stringify(record));
        localStorage.setItem(own + 'in_corrupt', '{not json');
        localStorage.setItem('baton.outbox.d_other.in_x', JSON.stringify(record));
      },
      { own, record },
    );
    await seed.close();

    api.script({ kind: 'text', text: 'Carried over.', chunks: 2, delayMs: 50 });
    const chat = await laptop.open(`${baton.url}/s/${sessionId}`);
    await waitForQuiet(chat);
    await waitFor('the carried-over message in the transcript', async () =>
      (await transcript(chat)).includes('user: queued by the earlier build'),
    );
    assert.deepEqual(await typedInLog(cli, sessionId), ['queued by the earlier build']);
    const left = await chat.evaluate(() =>
      Object.keys(localStorage).filter((k) => k.startsWith('baton.outbox.')),
    );
    assert.deepEqual(left, ['baton.outbox.d_other.in_x'], "only another device's entry is left");
    await waitFor('the corrupt entry to be logged', () =>
      warnings.some((w) => w.includes('does not parse') && w.includes('in_corrupt'))
        ? true
        : notYet(warnings),
    );
    // Acknowledged, so it left IndexedDB too: nothing is sent again on the next load.
    await waitFor('the IndexedDB outbox to be empty', () =>
      chat.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            const open = indexedDB.open('baton');
            open.onsuccess = () => {
              const all = open.result.transaction('outbox').objectStore('outbox').getAll();
              all.onsuccess = () => resolve(all.result.length === 0);
            };
          }),
      ),
    );
    await chat.close();
  });

  it('corrupt or foreign data in IndexedDB and localStorage is skipped with a log line', async () => {
    const sessionId = await claudeSession('saved before');
    const seed = await laptop.open(`${baton.url}/`);
    await seed.evaluate(
      ({ sessionId }) =>
        new Promise<void>((resolve, reject) => {
          const info = { id: sessionId, name: 'saved before' };
          // An earlier build's saved view, and one that does not parse.
          localStorage.setItem(
            `baton.saved.view.${sessionId}`,
            JSON.stringify({ savedAt: 1, info, events: [] }),
          );
          localStorage.setItem('baton.saved.view.s_broken', '{oops');
          // Rows no build of baton wrote.
          const open = indexedDB.open('baton');
          open.onerror = () => reject(open.error ?? new Error('no database'));
          open.onsuccess = () => {
            const tx = open.result.transaction(['outbox', 'views'], 'readwrite');
            tx.objectStore('outbox').put({ key: 'x/1', scope: 'x', value: 42 });
            tx.objectStore('views').put({ key: 'views/s_foreign', scope: 'views', value: 'junk' });
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error ?? new Error('not written'));
          };
        }),
      { sessionId },
    );
    await seed.close();

    const warnings: string[] = [];
    laptop.context.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    const page = await laptop.open(`${baton.url}/`);
    await page
      .getByRole('link', { name: /saved before/ })
      .first()
      .waitFor();
    assert.ok(
      (await savedViewsText(page, sessionId)).includes('saved before'),
      "the earlier build's view is in IndexedDB",
    );
    assert.deepEqual(
      await page.evaluate(() =>
        Object.keys(localStorage).filter((k) => k.startsWith('baton.saved.')),
      ),
      [],
      'and no longer in localStorage',
    );
    for (const expected of ['baton.saved.view.s_broken', 'views/s_foreign'])
      assert.ok(
        warnings.some((w) => w.includes(expected)),
        `${expected} was logged: ${JSON.stringify(warnings)}`,
      );
    await page.close();
  });
});
