import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import type { SessionInfo } from '@baton/protocol';
import { BASH_TERMINAL } from '@baton/server/testing';
import { waitForTerminal } from './harness/app-page.js';
import { BatonProcess } from './harness/baton-process.js';
import { connected, screenshot } from './harness/browser.js';
import { EXTENSION_ORIGIN, ExtensionBrowser } from './harness/extension-browser.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';
import { hostPairLink, startHost, stopPairCommands, type RelayHost } from './harness/relay-host.js';

/** Every file under `dir` (the relay's SQLite file, its WAL and the rest) as raw bytes. */
function rawBytesUnder(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir).map((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? rawBytesUnder(path) : readFileSync(path);
    }),
  );
}

// Issue 13: the Chrome extension is a device of a relay like the others. Pasting a host's
// pairing link (`baton host pair`) into its pairing form makes it a device with its own keys
// (in the extension's IndexedDB), after the host's key fingerprint is shown; its side panel
// then types into a sealed terminal on that host and reads the output, which the relay stores
// only sealed.
describe('the Chrome extension on a sealed session through a relay', { timeout: 300_000 }, () => {
  const relayDir = tempDir('ext-relay');
  let relay: BatonProcess;
  let host: RelayHost | undefined;
  let ext: ExtensionBrowser;
  let owner: BatonClient | undefined;
  let popup: Page;
  let session: SessionInfo;

  before(async () => {
    relay = await BatonProcess.start(relayDir, {}, ['--allow-origin', EXTENSION_ORIGIN], 'relay');
    host = await startHost(relay, 'alpha', tempDir('ext-alpha'));
    owner = await nodeDevice(relay.url, relay.ownerToken);
    session = await owner.createSession({
      kind: 'terminal',
      name: 'shell on alpha',
      config: { ...BASH_TERMINAL, host: 'alpha' },
    });
    await owner.close();
    owner = undefined;
    ext = await ExtensionBrowser.launch();
  });
  after(async () => {
    await owner?.close();
    stopPairCommands();
    if (host?.child.exitCode === null) host.child.kill('SIGTERM');
    await ext?.close();
    await relay?.close();
    assert.deepEqual(ext?.errors ?? [], [], 'no page errors');
  });

  it('pairs by a host link, shows the fingerprint, and types into the sealed terminal', async () => {
    const link = await hostPairLink(host!);
    popup = await ext.openExtensionPage('popup.html');
    await popup.getByLabel('baton address or pairing link').fill(link);
    const form = popup.getByRole('form', { name: 'Pair with a host' });
    // The fingerprint comes from the link's keys; `baton host` printed the same at its start.
    const fingerprint = (await form.locator('.host-fingerprint').innerText()).trim();
    assert.match(fingerprint, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    assert.ok(host!.output.includes(fingerprint), `baton host printed ${fingerprint}`);
    await form.getByLabel('Name of this device').fill('extension on a relay');
    await screenshot(popup, 'extension-host-pair');
    await form.getByRole('button', { name: 'Pair with this host' }).click();
    await connected(popup);
    const card = popup.locator(`.popup-session[data-session-id="${session.id}"]`);
    await card.waitFor({ timeout: 30_000 });

    const panel = await ext.openExtensionPage(`sidepanel.html?session=${session.id}`);
    await connected(panel);
    await panel.locator('.terminal-host').waitFor();
    // The prompt shows once the host has added the extension and wrapped the session's key to
    // it: the panel opened the sealed output.
    await waitForTerminal(panel, '$', 60_000);
    const marker = `sealed-ext-${Date.now().toString(36)}`;
    await panel.locator('.terminal-host').click();
    await panel.keyboard.insertText(`echo ${marker}-$((6*7))`);
    await panel.keyboard.press('Enter');
    await waitForTerminal(panel, `${marker}-42`, 30_000);
    await screenshot(panel, 'extension-side-panel-sealed-terminal');

    // The relay carried the keystrokes and the echo, sealed: its files hold neither.
    const bytes = rawBytesUnder(relayDir);
    assert.ok(bytes.includes(Buffer.from('shell on alpha')), "the grep reads the relay's data");
    assert.equal(bytes.includes(Buffer.from(marker)), false, 'the relay stored the marker');
    assert.equal(relay.output.includes(marker), false, 'the relay printed the marker');
  });
});
