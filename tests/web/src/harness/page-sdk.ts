import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { BatonClient, DocumentWriteStorage } from '@baton/client';
import type { compareHlc } from '@baton/protocol';
import { REPO_ROOT } from './paths.js';

/** What the bundle puts on `window.BatonSDK` in a page. */
export interface PageSdk {
  BatonClient: typeof BatonClient;
  IndexedDbDocumentWrites: new (scope: string) => DocumentWriteStorage;
  compareHlc: typeof compareHlc;
}

/** The window of a page with the SDK loaded and its clients by name. */
export interface SdkWindow {
  BatonSDK: PageSdk;
  clients: Record<string, BatonClient>;
}

let bundled: Promise<string> | undefined;

/**
 * The client SDK as the web app builds it (the same `@baton/client` and the app's IndexedDB
 * storage of offline document writes), bundled for a page: a test drives it with
 * `page.evaluate`, so what runs is the SDK in a real browser, on the page's own origin.
 */
export function pageSdkBundle(): Promise<string> {
  bundled ??= build({
    stdin: {
      contents: [
        "export { BatonClient } from '@baton/client';",
        "export { compareHlc } from '@baton/protocol';",
        "export { IndexedDbDocumentWrites } from './apps/web/src/offline/indexed-db-document-writes.ts';",
      ].join('\n'),
      resolveDir: REPO_ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'BatonSDK',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  return bundled;
}

/**
 * Loads the SDK into `page` (a signed-in window of a device) and starts a client named `name`
 * with the device's credential, its offline document writes in the profile's IndexedDB.
 */
export async function startPageClient(page: Page, name: string): Promise<void> {
  const loaded = await page.evaluate(() => 'BatonSDK' in window);
  if (!loaded) await page.addScriptTag({ content: await pageSdkBundle() });
  await page.evaluate(async (clientName) => {
    const w = window as unknown as SdkWindow;
    const credential = JSON.parse(localStorage.getItem('baton.device') ?? 'null') as {
      deviceId: string;
      token: string;
    };
    const client = new w.BatonSDK.BatonClient({
      url: `ws://${location.host}/v1/ws`,
      token: credential.token,
      mode: 'tab',
      label: `sdk ${clientName}`,
      watchSessions: false,
      documentStorage: new w.BatonSDK.IndexedDbDocumentWrites(credential.deviceId),
    });
    w.clients ??= {};
    w.clients[clientName] = client;
    client.connect();
    await client.whenConnected();
  }, name);
}
