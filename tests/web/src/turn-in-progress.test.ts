import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { startFakeAnthropic, type ScriptedModelApi } from './harness/fake-model-api.js';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, connected, launchBrowser, screenshot } from './harness/browser.js';
import { transcript } from './harness/app-page.js';
import { sendMessage, waitForQuiet } from './harness/chat.js';
import { claudeServerEnv, claudeSessionEnv } from './harness/claude-env.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

const REPLY = 'The quick brown fox jumps over the lazy dog, then it rests under the old oak tree.';
const CHUNKS = 6;
const HELD_AFTER = 3;

/** The text the fake model API has streamed when it holds (its own chunking, see sse-server). */
function heldText(): string {
  const size = Math.ceil(REPLY.length / CHUNKS);
  return REPLY.slice(0, size * HELD_AFTER);
}

/** The text of the reply still streaming on `page`, or '' when none is shown. */
async function streamingText(page: Page): Promise<string> {
  const item = page.locator('.transcript .msg-assistant.streaming .markdown');
  return (await item.count()) === 0 ? '' : ((await item.first().textContent()) ?? '').trim();
}

// Issue 11, bug 1: a window reloaded, or a device joining, while the agent streams a reply must
// show the part already streamed. Real Claude Code against a scripted model API that holds the
// reply in the middle, so every window can be compared while the turn is in progress.
describe('a reload or a late joiner mid-reply (issue 11, bug 1)', { timeout: 240_000 }, () => {
  let api: ScriptedModelApi;
  let baton: BatonProcess;
  let browser: Browser;
  const devices: BrowserDevice[] = [];
  let cli: BatonClient | undefined;
  let a: Page;
  let b: Page;
  let sessionUrl = '';
  const work = tempDir('turn-work');

  before(async () => {
    api = await startFakeAnthropic();
    baton = await BatonProcess.start(tempDir('turn'), claudeServerEnv(api, tempDir('turn-env')));
    browser = await launchBrowser();
  });
  after(async () => {
    await cli?.close();
    for (const d of devices) await d.close().catch(() => {});
    await browser?.close();
    await baton?.close();
    await api?.close();
    assert.deepEqual(
      devices.flatMap((d) => d.errors),
      [],
      'no page errors',
    );
  });

  it('every window shows the same partial text while the reply streams, and the same reply after', async () => {
    cli = await nodeDevice(baton.url, baton.ownerToken);
    const session = await cli.createSession({
      kind: 'claude',
      name: 'mid reply',
      config: { cwd: work, env: claudeSessionEnv(api) },
    });
    sessionUrl = `${baton.url}/s/${session.id}`;
    const device = async (): Promise<Page> => {
      const d = await BrowserDevice.create(browser);
      devices.push(d);
      const page = await d.open(baton.signInUrl);
      await page.goto(sessionUrl);
      await page.locator('.composer').waitFor();
      return page;
    };
    a = await device();
    b = await device();

    api.script({
      kind: 'text',
      text: REPLY,
      chunks: CHUNKS,
      delayMs: 20,
      holdAfterChunks: HELD_AFTER,
    });
    await sendMessage(b, 'tell me about the fox');
    const partial = heldText();
    for (const page of [a, b]) {
      await waitFor(
        'the held part of the reply',
        async () => (await streamingText(page)) === partial,
        60_000,
      );
    }

    await a.reload();
    await connected(a);
    const c = await device();
    for (const page of [a, c]) {
      await waitFor(
        'the reloaded window and the new device to show the part already streamed',
        async () => (await streamingText(page)) === partial,
      );
    }
    assert.equal(await streamingText(b), partial, 'B still shows the held part');

    api.release();
    for (const page of [a, b, c]) {
      await waitForQuiet(page);
      await waitFor('the whole reply', async () => (await transcript(page)).length === 2);
      assert.deepEqual(await transcript(page), ['user: tell me about the fox', `agent: ${REPLY}`]);
    }
  });

  it('a session waiting for a permission marks the tab title, the favicon and the header', async () => {
    const icon = (page: Page) => page.locator('link[rel="icon"]').getAttribute('href');
    await b.goto(`${baton.url}/`);
    await b.locator('.session-card').first().waitFor();
    assert.equal(await a.title(), 'mid reply — baton');
    assert.equal(await icon(a), '/icons/icon.svg');

    api.script(
      {
        kind: 'tool',
        name: 'Bash',
        input: { command: `touch ${join(work, 'asked.txt')}`, description: 'create a file' },
      },
      { kind: 'text', text: 'Done.', chunks: 1, delayMs: 10 },
    );
    await sendMessage(a, 'run something');
    await a.locator('.permission-open').waitFor({ timeout: 60_000 });
    await waitFor(
      'A to say the session needs you',
      async () => (await a.title()) === '(!) mid reply — baton',
    );
    await waitFor(
      'B, on the list, to say it too',
      async () => (await b.title()) === '(!) mid reply — baton',
    );
    for (const page of [a, b]) assert.equal(await icon(page), '/icons/icon-attention.svg');
    assert.equal(
      await a.locator('.session-header .badge-attention').getAttribute('data-attention'),
      'permission',
    );
    await screenshot(a, 'session-needs-you');

    await a
      .locator('.permission-open')
      .getByRole('button', { name: 'Allow once', exact: true })
      .click();
    await waitForQuiet(a);
    await waitFor('the mark to clear', async () => (await a.title()) === 'mid reply — baton');
    await waitFor('the favicon to clear', async () => (await icon(b)) === '/icons/icon.svg');
    assert.equal(await b.title(), 'baton');
    assert.equal(await a.locator('.badge-attention').count(), 0);
  });
});
