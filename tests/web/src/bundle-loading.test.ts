import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrowserSuite } from './harness/browser-suite.js';
import { connected } from './harness/browser.js';
import {
  CHAT_MARKER,
  chunksContaining,
  compressedByBuild,
  XTERM_MARKER,
} from './harness/built-assets.js';
import { mainScreensServer } from './harness/main-screens.js';
import { NetworkLog } from './harness/network-log.js';
import { notYet, waitFor } from './harness/wait-for.js';

// Issue 11, bug 12: the whole app (xterm.js included) was one uncompressed script of about a
// megabyte, loaded on every page. Now each response is br or gzip, xterm.js loads only for
// terminal sessions and the chat only for agent sessions, hashed assets come from the browser's
// cache on a reload, and the service worker still holds every chunk for offline use.
describe(
  'the bundle is compressed, split by route and cached (issue 11, bug 12)',
  { timeout: 240_000 },
  () => {
    const s = new BrowserSuite('bundle', mainScreensServer);

    it('the list loads neither xterm nor the chat, each session only its own, all compressed and cached', async () => {
      const app = s.baton;
      const xterm = chunksContaining(XTERM_MARKER);
      const chat = chunksContaining(CHAT_MARKER);
      assert.ok(xterm.length > 0, 'the build has a chunk with xterm.js');
      assert.ok(chat.length > 0, 'the build has a chunk with the chat view');
      const loaded = (log: NetworkLog, chunks: string[], mark = 0): string[] =>
        log.scripts(mark).filter((path) => chunks.includes(path));

      // Service workers off: this test is about the HTTP layer and the browser's own cache.
      const device = await s.device({ serviceWorkers: 'block' });
      const page = await device.context.newPage();
      page.on('pageerror', (error) => device.errors.push(`pageerror: ${error.message}`));
      const log = await NetworkLog.record(page);

      await page.goto(`${app.url}/#token=${app.ownerToken}`);
      await connected(page);
      await page.getByRole('link', { name: 'build' }).first().waitFor();
      assert.ok(log.scripts().length > 0, 'the list page loaded scripts');
      assert.deepEqual(loaded(log, xterm), [], 'the list page loads no xterm.js');
      assert.deepEqual(loaded(log, chat), [], 'the list page loads no chat code');
      const shell = log.entries.filter((e) => e.path === '/' || e.path.startsWith('/assets/'));
      assert.ok(shell.length > 2, 'the page and its assets were loaded');
      for (const entry of shell) {
        assert.equal(entry.status, 200, entry.path);
        // A file under 1 KB (the bundler's runtime) is not worth compressing.
        if (compressedByBuild(entry.path))
          assert.match(entry.encoding, /^(br|gzip)$/, `${entry.path} is compressed`);
      }

      let mark = log.mark();
      await page.getByRole('link', { name: 'build' }).first().click();
      await page.waitForURL(`**/s/${app.sessions.terminal}`);
      await page.locator('.terminal-host .xterm').waitFor();
      assert.ok(loaded(log, xterm, mark).length > 0, 'a terminal session loads xterm.js');
      assert.deepEqual(loaded(log, chat, mark), [], 'a terminal session loads no chat code');
      for (const entry of log.since(mark).filter((e) => e.path.startsWith('/assets/')))
        if (compressedByBuild(entry.path))
          assert.match(entry.encoding, /^(br|gzip)$/, `${entry.path} is compressed`);

      mark = log.mark();
      await page.goto(`${app.url}/s/${app.sessions.chat}`);
      await connected(page);
      await page.locator('.permission-open').waitFor();
      assert.ok(loaded(log, chat, mark).length > 0, 'an agent session loads the chat');
      assert.deepEqual(loaded(log, xterm, mark), [], 'an agent session loads no xterm.js');

      // A reload revalidates the page (304: nothing changed) and takes every hashed asset from
      // the browser's cache without asking the server. One reload first: Chromium writes its
      // disk cache asynchronously, and on a loaded machine an asset fetched a moment ago may not
      // be stored yet (seen once: one chunk fetched again by the very next reload).
      await page.reload();
      await connected(page);
      await page.locator('.permission-open').waitFor();
      mark = log.mark();
      await page.reload();
      await connected(page);
      await page.locator('.permission-open').waitFor();
      const reloaded = log.since(mark);
      const chatPath = `/s/${app.sessions.chat}`;
      const pageLoad = reloaded.find((e) => e.path === chatPath);
      assert.equal(pageLoad?.wireStatus, 304, 'the page is revalidated with its ETag');
      const assets = reloaded.filter((e) => e.path.startsWith('/assets/'));
      assert.ok(assets.length > 0, 'the reload used assets');
      for (const entry of assets) {
        assert.ok(entry.fromCache, `${entry.path} comes from the cache`);
        assert.equal(entry.wireStatus, 0, `${entry.path} is not even revalidated`);
      }
    });

    it('the service worker caches every chunk, lazily loaded ones included, for offline use', async () => {
      const app = s.baton;
      const device = await s.device();
      const page = await device.open(`${app.url}/#token=${app.ownerToken}`);
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      // This window opened no session, so only the worker's precache can hold these chunks.
      const wanted = [...chunksContaining(XTERM_MARKER), ...chunksContaining(CHAT_MARKER)];
      await waitFor('every chunk to be in the offline cache', async () => {
        const missing = await page.evaluate(async (paths) => {
          const out: string[] = [];
          for (const path of paths) if (!(await caches.match(path))) out.push(path);
          return out;
        }, wanted);
        return missing.length === 0 || notYet(missing);
      });
    });
  },
);
