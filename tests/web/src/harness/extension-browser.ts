import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';
import { EXTENSION_DIST, tempDir } from './paths.js';

/** The extension's id: fixed by the `key` in its manifest, so its origin is stable. */
export const EXTENSION_ID = 'pkcigpealhbabppkcemiapdjkbnoohod';
export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}`;

/**
 * Chromium with the built extension loaded, in a profile of its own (extensions need a
 * persistent context). Chromium's headless mode (the new one, which playwright-core starts)
 * runs extensions and their service workers. Console errors of every page are collected.
 */
export class ExtensionBrowser {
  readonly errors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly worker: Worker,
  ) {}

  static async launch(): Promise<ExtensionBrowser> {
    if (!existsSync(join(EXTENSION_DIST, 'manifest.json')))
      throw new Error(
        `${EXTENSION_DIST}/manifest.json is missing: build the extension first (npm run build)`,
      );
    const context = await chromium.launchPersistentContext(tempDir('extension-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: [
        ...CHROMIUM_ARGS,
        `--disable-extensions-except=${EXTENSION_DIST}`,
        `--load-extension=${EXTENSION_DIST}`,
      ],
    });
    const worker =
      context.serviceWorkers().find((w) => w.url().startsWith(EXTENSION_ORIGIN)) ??
      (await context.waitForEvent('serviceworker', {
        predicate: (w) => w.url().startsWith(EXTENSION_ORIGIN),
        timeout: 30_000,
      }));
    return new ExtensionBrowser(context, worker);
  }

  /** The built manifest, as Chrome loaded it. */
  static manifest(): Record<string, unknown> {
    return JSON.parse(readFileSync(join(EXTENSION_DIST, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
  }

  /** Opens `url` (an extension page or the web app) in a new tab. */
  async open(url: string): Promise<Page> {
    const page = await this.context.newPage();
    page.on('pageerror', (error) => this.errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // A server that is down, a refused code or a refused socket is logged by Chromium as a
      // failed load; the page says so in words, which is what the tests check.
      if (
        message.type() === 'error' &&
        !/Failed to load resource|ERR_CONNECTION_REFUSED|WebSocket connection to .* failed/.test(
          message.text(),
        )
      )
        this.errors.push(`console: ${message.text()}`);
    });
    await page.goto(url);
    return page;
  }

  /** An extension page: `popup.html` or `sidepanel.html` (with a query, say). */
  openExtensionPage(path: string): Promise<Page> {
    return this.open(`${EXTENSION_ORIGIN}/${path}`);
  }

  close(): Promise<void> {
    return this.context.close();
  }
}
