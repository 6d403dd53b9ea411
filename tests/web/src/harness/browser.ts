import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { join } from 'node:path';
import { ensureDir, SCREENSHOT_DIR } from './paths.js';

export const CHROMIUM = process.env['BATON_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * The flags every Chromium of the suite starts with: headless as root on a closed network, where
 * background networking would only make refused connections.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches Debian's Chromium headless, as the browser suite needs it on CI and here. */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * A browser profile: one device. Pages opened in it are windows of that device and share its
 * localStorage (and so its device credential). Console errors of every page are collected.
 */
export class BrowserDevice {
  readonly errors: string[] = [];

  private constructor(readonly context: BrowserContext) {}

  static async create(
    browser: Browser,
    options: Parameters<Browser['newContext']>[0] = {},
  ): Promise<BrowserDevice> {
    return new BrowserDevice(
      await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options }),
    );
  }

  /** Opens a window at `url` and waits for the app to be connected. */
  async open(url: string, options: { connected?: boolean } = {}): Promise<Page> {
    const page = await this.context.newPage();
    page.on('pageerror', (error) => this.errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(`console: ${message.text()}`);
    });
    await page.goto(url);
    if (options.connected ?? true) await connected(page);
    return page;
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

/** Waits until the page's connection indicator says the window is connected. */
export async function connected(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.locator('.connection[data-status="connected"]').waitFor({ timeout: timeoutMs });
}

/** Saves a screenshot under artifacts/screenshots for people (and CI) to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ensureDir(SCREENSHOT_DIR), `${name}.png`), fullPage: false });
}
