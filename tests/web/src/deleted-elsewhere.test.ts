import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { sessionActionNames } from './harness/app-page.js';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, launchBrowser, screenshot } from './harness/browser.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';

// Issue 11, bug 7: a session deleted elsewhere still looked alive: the header said `running`
// and offered Stop. Two windows show it; another device deletes it.
describe('a session deleted elsewhere (issue 11, bug 7)', { timeout: 180_000 }, () => {
  let baton: BatonProcess;
  let browser: Browser;
  let laptop: BrowserDevice;
  let cli: BatonClient | undefined;

  before(async () => {
    baton = await BatonProcess.start(tempDir('deleted'));
    browser = await launchBrowser();
    laptop = await BrowserDevice.create(browser);
  });
  after(async () => {
    await cli?.close();
    await laptop?.close().catch(() => {});
    await browser?.close();
    await baton?.close();
    assert.deepEqual(laptop?.errors ?? [], [], 'no page errors');
  });

  it('shows as deleted at once in every window, with no status, no Stop and a way back', async () => {
    cli = await nodeDevice(baton.url, baton.ownerToken);
    const session = await cli.createSession({
      kind: 'terminal',
      name: 'short lived',
      config: { shell: '/bin/sh', args: ['-c', 'exec sleep 100000'] },
    });
    const a = await laptop.open(baton.signInUrl);
    await a.goto(`${baton.url}/s/${session.id}`);
    const b = await laptop.open(`${baton.url}/s/${session.id}`);
    for (const page of [a, b]) {
      await page.locator('.session-header .badge[data-status="running"]').waitFor();
      assert.ok((await sessionActionNames(page)).includes('Stop'), 'Stop is offered');
    }

    await cli.deleteSession(session.id);
    for (const page of [a, b]) {
      await page.locator('.session-header .badge-deleted').waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('.session-header .badge[data-status="running"]').count(), 0);
      const offered = await sessionActionNames(page);
      assert.ok(!offered.includes('Stop'), `no Stop: ${offered.join(', ')}`);
      assert.ok(!offered.includes('Delete') && !offered.includes('Rename'), 'nothing acts on it');
      const notice = page.getByRole('alert').filter({ hasText: 'This session was deleted' });
      await notice.waitFor();
      await notice.getByRole('link', { name: 'Back to the sessions' }).waitFor();
    }
    await screenshot(a, 'session-deleted-elsewhere');
    await b.getByRole('link', { name: 'Back to the sessions' }).click();
    await b.waitForURL(`${baton.url}/`);
  });
});
