import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { BatonProcess } from './baton-process.js';
import { BrowserDevice, launchBrowser } from './browser.js';
import { tempDir } from './paths.js';

export interface BrowserSuiteOptions<S> {
  /** The server's environment, made once before it starts (a fake model API's address, say). */
  env?: () => NodeJS.ProcessEnv | Promise<NodeJS.ProcessEnv>;
  /** Another server than a `baton serve` process (an in-process one with scripted sessions). */
  server?: () => Promise<S>;
  /** Whether the suite fails when any of its devices' pages logged an error (default true). */
  checkPageErrors?: boolean;
}

/**
 * What a browser suite shares: one real `baton serve` and one Chromium for a `describe` block.
 * Devices made with `device()` and everything given to `closeFirst` are closed after the last
 * test, before the browser and the server; then, unless told otherwise, the suite fails if any
 * device's page logged an error. Call it inside the `describe` callback.
 */
export class BrowserSuite<S extends { close(): Promise<unknown> } = BatonProcess> {
  private server: S | undefined;
  private chromium: Browser | undefined;
  private readonly devices: BrowserDevice[] = [];
  private readonly closers: (() => Promise<unknown>)[] = [];

  constructor(name: string, options: BrowserSuiteOptions<S> = {}) {
    before(async () => {
      // Without `server`, S is its default, BatonProcess (the only case the cast covers).
      this.server = options.server
        ? await options.server()
        : ((await BatonProcess.start(
            tempDir(name),
            (await options.env?.()) ?? {},
          )) as unknown as S);
      this.chromium = await launchBrowser();
    });
    after(async () => {
      for (const close of this.closers) await close();
      for (const d of this.devices) await d.close().catch(() => {});
      await this.chromium?.close();
      await this.server?.close();
      if (options.checkPageErrors ?? true)
        assert.deepEqual(
          this.devices.flatMap((d) => d.errors),
          [],
          'no page errors',
        );
    });
  }

  get baton(): S {
    assert.ok(this.server, 'the suite has not started');
    return this.server;
  }

  get browser(): Browser {
    assert.ok(this.chromium, 'the suite has not started');
    return this.chromium;
  }

  /** A new browser profile: one device, closed with the suite. */
  async device(options?: Parameters<typeof BrowserDevice.create>[1]): Promise<BrowserDevice> {
    const device = await BrowserDevice.create(this.browser, options);
    this.devices.push(device);
    return device;
  }

  /** Closes `close` (an SDK client, say) after the last test, before the devices. */
  closeFirst(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }
}

/** A shell for terminal suites: bash with a home of its own, so no user's rc file runs. */
export function bashEnv(name: string): NodeJS.ProcessEnv {
  return { SHELL: '/bin/bash', HOME: tempDir(`${name}-home`) };
}
