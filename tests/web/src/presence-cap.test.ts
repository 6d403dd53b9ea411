import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatonClient } from '@baton/client';
import { BrowserSuite } from './harness/browser-suite.js';
import { connected } from './harness/browser.js';
import { nodeDevice } from './harness/node-device.js';
import { notYet, waitFor } from './harness/wait-for.js';

const QUIET_SHELL = { shell: '/bin/sh', args: ['-c', 'exec sleep 100000'] };
/** More windows than the server lists (it lists a session's first 50 and the receiver). */
const OTHERS = 55;

// Presence is capped by the server (docs/protocol.md, section 8): a window that is not among the
// first 50 still knows how many are attached, and says so instead of showing a short list as all.
describe('a session with more windows than presence lists', { timeout: 180_000 }, () => {
  const s = new BrowserSuite('presence-cap', {});
  const others: BatonClient[] = [];
  s.closeFirst(async () => Promise.all(others.map((c) => c.close())));

  it('shows the windows beyond the list as a count, in the bar and the devices panel', async () => {
    const first = await nodeDevice(s.baton.url, s.baton.ownerToken);
    others.push(first);
    const session = await first.createSession({
      kind: 'terminal',
      name: 'crowded',
      config: QUIET_SHELL,
    });
    first.subscribe(session.id, { readOnly: true });
    for (let i = 1; i < OTHERS; i++) {
      const c = await nodeDevice(s.baton.url, s.baton.ownerToken);
      others.push(c);
      c.subscribe(session.id, { readOnly: true });
    }
    const laptop = await s.device();
    const page = await laptop.open(s.baton.signInUrl);
    await page.goto(`${s.baton.url}/s/${session.id}`);
    await connected(page);
    // 55 node windows and this one: 50 listed, this window listed for itself, 5 counted.
    const moreText = () =>
      page.evaluate(() => document.querySelector('.presence .avatar-more')?.textContent ?? '');
    const shown = await waitFor('the bar to count the windows beyond the list', async () => {
      const text = await moreText();
      return text === '+5' ? text : notYet(text);
    });
    assert.equal(shown, '+5');
    assert.match(
      (await page.locator('.presence').getAttribute('title')) ?? '',
      /and 5 more windows/,
    );
    // The devices panel is open by default on a wide window; the initials open it elsewhere.
    if ((await page.locator('.presence').getAttribute('aria-expanded')) !== 'true')
      await page.locator('.presence').click();
    await page.getByText('And 5 more windows not listed').waitFor();

    // As windows leave, the count follows (the server's total, not the list's length).
    await Promise.all(others.splice(50).map((c) => c.close()));
    await waitFor('the count to go once every window is listed', async () => {
      const text = await moreText();
      return text === '' ? true : notYet(text);
    });
  });
});
