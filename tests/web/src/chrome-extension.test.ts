import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createPairing, type BatonClient } from '@baton/client';
import { transcript, typeInTerminal, waitForTerminal } from './harness/app-page.js';
import { BatonProcess } from './harness/baton-process.js';
import { connected, screenshot } from './harness/browser.js';
import { sendMessage, waitForQuiet } from './harness/chat.js';
import { claudeServerEnv, claudeSessionEnv } from './harness/claude-env.js';
import { EXTENSION_ORIGIN, ExtensionBrowser } from './harness/extension-browser.js';
import { startFakeAnthropic, type ScriptedModelApi } from './harness/fake-model-api.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';
import { notYet, waitFor } from './harness/wait-for.js';

/** The extension APIs the tests call inside the extension's service worker. */
interface WorkerChrome {
  chrome: {
    sidePanel: {
      getOptions(o: object): Promise<{ path?: string; enabled?: boolean }>;
      getPanelBehavior(): Promise<{ openPanelOnActionClick?: boolean }>;
    };
    storage: {
      local: {
        get(key: string): Promise<Record<string, unknown>>;
        set(items: Record<string, unknown>): Promise<void>;
      };
    };
  };
}

/** A port nothing listens on: a baton server that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Fills the extension's pairing form and submits it. */
async function pair(popup: Page, address: string, code = ''): Promise<void> {
  await popup.getByLabel('baton address or pairing link').fill(address);
  await popup.getByLabel('Pairing code').fill(code);
  await popup.getByRole('button', { name: 'Pair the extension' }).click();
}

/** The alert the popup shows, once it contains `pattern`. */
async function alertText(page: Page, pattern: RegExp): Promise<string> {
  return waitFor(`an alert matching ${String(pattern)}`, async () => {
    const texts = await page.getByRole('alert').allInnerTexts();
    return texts.find((t) => pattern.test(t)) ?? notYet(texts);
  });
}

// Issue 14: the Chrome extension (Manifest V3) loaded into real Chromium with --load-extension.
// Its popup and side panel (opened as tabs at their chrome-extension:// addresses) follow a
// terminal live beside a normal web-app tab, send input, stop a real Claude Code turn and answer
// its permission prompt; the server admits the extension's origin because it was told to.
describe('the Chrome extension: popup and side panel', { timeout: 300_000 }, () => {
  let api: ScriptedModelApi;
  let baton: BatonProcess;
  let ext: ExtensionBrowser;
  let cli: BatonClient | undefined;
  let popup: Page;
  let panel: Page;
  let tab: Page;
  const work = tempDir('ext-work');
  // Runs `fn` in the extension's service worker with its global (where `chrome` lives).
  const worker = <T>(fn: (g: WorkerChrome) => Promise<T>): Promise<T> =>
    ext.worker.evaluate<T>(`(${fn.toString()})(globalThis)`);

  before(async () => {
    api = await startFakeAnthropic();
    baton = await BatonProcess.start(
      tempDir('ext'),
      { ...claudeServerEnv(api, tempDir('ext-env')), SHELL: '/bin/bash' },
      ['--allow-origin', EXTENSION_ORIGIN],
    );
    ext = await ExtensionBrowser.launch();
  });
  after(async () => {
    await cli?.close();
    await ext?.close();
    await baton?.close();
    await api?.close();
    assert.deepEqual(ext?.errors ?? [], [], 'no page errors');
  });

  it('loads with its fixed id and registers its side panel', async () => {
    const manifest = ExtensionBrowser.manifest();
    assert.equal(manifest['manifest_version'], 3);
    assert.deepEqual(manifest['side_panel'], { default_path: 'sidepanel.html' });
    assert.ok((manifest['permissions'] as string[]).includes('sidePanel'));
    assert.equal(ext.worker.url(), `${EXTENSION_ORIGIN}/service-worker.js`);
    const options = await waitFor('the worker to register the side panel', async () => {
      const o = await worker((g) => g.chrome.sidePanel.getOptions({}));
      return o.path === 'sidepanel.html' ? o : notYet(o);
    });
    assert.equal(options.enabled, true);
    assert.deepEqual(await worker((g) => g.chrome.sidePanel.getPanelBehavior()), {
      openPanelOnActionClick: false,
    });
  });

  it('says what is wrong: a corrupt saved sign-in, a bad address, a wrong code, a server that is down', async () => {
    await worker((g) =>
      g.chrome.storage.local.set({
        'baton.device': { server: 'not an address', deviceId: 'd', token: 't' },
      }),
    );
    popup = await ext.openExtensionPage('popup.html');
    await alertText(
      popup,
      /saved sign-in could not be read \(its server address .* is not a URL\)/,
    );
    assert.equal(
      await worker(async (g) => (await g.chrome.storage.local.get('baton.device'))['baton.device']),
      undefined,
      'the corrupt entry was removed',
    );
    await worker((g) => g.chrome.storage.local.set({ 'baton.device': '{"half' }));
    await popup.reload();
    await alertText(popup, /could not be read \(it is not an object\).*Pair the extension again/);

    await pair(popup, 'ftp://example.org', 'AAAAA-BBBBB');
    await alertText(popup, /reached over http or https, not ftp/);
    await pair(popup, baton.url, 'AAAAA-BBBBB');
    await alertText(popup, /baton does not know this code/);
    await pair(popup, `http://127.0.0.1:${await closedPort()}`, 'AAAAA-BBBBB');
    await alertText(popup, /baton could not be reached/);
    await screenshot(popup, 'extension-popup-server-down');
  });

  it('says how to allow the extension when a server pairs it but refuses its origin', async () => {
    // A second server started without --allow-origin: HTTP (pairing) works, the socket does not.
    const strict = await BatonProcess.start(tempDir('ext-strict'));
    try {
      const pairing = await createPairing(strict.url, strict.ownerToken, { role: 'owner' });
      await pair(popup, pairing.url);
      await alertText(
        popup,
        new RegExp(
          `answers but refuses .*--allow-origin ${EXTENSION_ORIGIN.replace(/[/.]/g, '\\$&')}`,
        ),
      );
      await screenshot(popup, 'extension-popup-origin-refused');
      await popup.getByRole('button', { name: 'Pair with another server' }).click();
      await popup.getByRole('button', { name: 'Pair the extension' }).waitFor();
    } finally {
      await strict.close();
    }
  });

  it('pairs with the link a pairing QR carries, and keeps its credential in chrome.storage', async () => {
    const pairing = await createPairing(baton.url, baton.ownerToken, { role: 'owner' });
    await pair(popup, pairing.url);
    await connected(popup);
    const stored = await worker(
      async (g) => (await g.chrome.storage.local.get('baton.device'))['baton.device'],
    );
    assert.equal((stored as { server: string }).server, baton.url);
    assert.match((stored as { token: string }).token, /\S{16,}/);
    await popup.getByText('No sessions yet').waitFor();
  });

  it('follows a terminal live beside a web-app tab; the popup and the side panel send input', async () => {
    cli = await nodeDevice(baton.url, baton.ownerToken);
    const terminal = await cli.createSession({
      kind: 'terminal',
      name: 'ext terminal',
      config: { shell: '/bin/bash', args: ['--norc', '--noprofile'] },
    });
    tab = await ext.open(baton.signInUrl);
    await connected(tab);
    await tab.goto(`${baton.url}/s/${terminal.id}`);
    await connected(tab);
    await tab.locator('.terminal-host').waitFor();

    panel = await ext.openExtensionPage(`sidepanel.html?session=${terminal.id}`);
    await connected(panel);
    await panel.locator('.terminal-host').waitFor();

    await typeInTerminal(tab, 'echo from-tab-$((6*7))');
    await tab.keyboard.press('Enter');
    await waitForTerminal(panel, 'from-tab-42');

    const card = popup.locator(`.popup-session[data-session-id="${terminal.id}"]`);
    await card.waitFor();
    await card.getByLabel('Send to ext terminal').fill('echo from-popup-$((7*8))');
    await card.getByRole('button', { name: 'Send', exact: true }).click();
    for (const page of [tab, panel]) await waitForTerminal(page, 'from-popup-56');

    await typeInTerminal(panel, 'echo from-panel-$((8*9))');
    await panel.keyboard.press('Enter');
    await waitForTerminal(tab, 'from-panel-72');

    // Presence: every device sees the side panel (and the tab) where the session is open.
    await waitFor('the popup to list the side panel and the tab as attached', async () => {
      const text = await card.locator('.session-card-attached').innerText();
      return /: sidepanel/.test(text) && /: tab/.test(text) ? text : notYet(text);
    });
    const list = await ext.open(`${baton.url}/`);
    await connected(list);
    await waitFor('the web app to list the side panel as attached', async () =>
      /sidepanel/.test(
        await list
          .locator('.session-card', { hasText: 'ext terminal' })
          .locator('.session-card-attached')
          .innerText(),
      ),
    );
    await list.close();

    // "Open in side panel" opens Chrome's own side panel on the session: playwright lists no
    // page for it, but it is a page target, and it attaches like any window (a second
    // `sidepanel` of the extension, beside the one driven as a tab).
    await card.getByRole('button', { name: 'Open in side panel' }).click();
    const cdp = await ext.context.newCDPSession(popup);
    await waitFor('a side panel page target', async () => {
      const { targetInfos } = (await cdp.send('Target.getTargets')) as {
        targetInfos: { type: string; url: string }[];
      };
      const panels = targetInfos.filter(
        (t) => t.type === 'page' && t.url.startsWith(`${EXTENSION_ORIGIN}/sidepanel.html`),
      );
      return panels.length === 2 ? panels : notYet(targetInfos);
    });
    await waitFor('the opened side panel to attach to the session', async () => {
      const text = await card.locator('.session-card-attached').innerText();
      return /: sidepanel ×2/.test(text) ? text : notYet(text);
    });
    await cdp.detach();
    await screenshot(panel, 'extension-side-panel-terminal');
    await screenshot(popup, 'extension-popup-sessions');
  });

  it('stops a Claude turn from the popup and answers its permission prompt there', async () => {
    assert.ok(cli);
    const claude = await cli.createSession({
      kind: 'claude',
      name: 'ext claude',
      config: { cwd: work, env: claudeSessionEnv(api) },
    });
    await tab.goto(`${baton.url}/s/${claude.id}`);
    await tab.locator('.composer').waitFor();
    await panel.getByLabel('Session', { exact: true }).selectOption(claude.id);
    await panel.locator('.composer').waitFor();

    // A long reply, sent from the side panel, stopped from the popup.
    api.script({ kind: 'text', text: 'word '.repeat(200), chunks: 100, delayMs: 200 });
    await sendMessage(panel, 'tell me a very long story');
    await tab.locator('.msg-assistant.streaming').first().waitFor({ timeout: 60_000 });
    const card = popup.locator(`.popup-session[data-session-id="${claude.id}"]`);
    await card.and(popup.locator('[data-status="running"]')).waitFor({ timeout: 30_000 });
    await card.getByRole('button', { name: 'Stop the turn of ext claude' }).click();
    for (const page of [tab, panel])
      await page.locator('.msg-turn-end.turn-interrupted').waitFor({ timeout: 30_000 });
    assert.equal(await card.getByRole('alert').count(), 0, 'Stop reported no error');
    await card.and(popup.locator('[data-status="idle"]')).waitFor({ timeout: 30_000 });

    // A tool call that needs permission, asked from the popup's quick send, allowed there.
    const file = join(work, 'from-popup.txt');
    api.script(
      {
        kind: 'tool',
        name: 'Bash',
        input: { command: `touch ${file}`, description: 'create a file' },
      },
      { kind: 'text', text: 'Done.', chunks: 1, delayMs: 10 },
    );
    await card.getByLabel('Send to ext claude').fill('make the file');
    await card.getByRole('button', { name: 'Send', exact: true }).click();
    const prompt = card.locator('.permission-open');
    await prompt.waitFor({ timeout: 60_000 });
    await tab.locator('.permission-open').waitFor();
    await screenshot(popup, 'extension-popup-permission');
    await prompt.getByRole('button', { name: 'Allow once', exact: true }).click();
    for (const page of [tab, panel]) await waitForQuiet(page);
    await waitFor('the agent to run the allowed command', async () => existsSync(file));
    await waitFor('the tab to show the whole exchange', async () => {
      const lines = await transcript(tab);
      return lines.includes('user: make the file') && lines.includes('agent: Done.')
        ? lines
        : notYet(lines);
    });
    assert.equal(await tab.locator('.permission-open').count(), 0, 'answered everywhere');
    await card.locator('.permission-open').waitFor({ state: 'detached' });
  });
});
