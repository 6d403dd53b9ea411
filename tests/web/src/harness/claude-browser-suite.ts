import assert from 'node:assert/strict';
import { after } from 'node:test';
import type { BatonClient } from '@baton/client';
import type { SessionInfo } from '@baton/protocol';
import { BrowserSuite } from './browser-suite.js';
import { claudeServerEnv, claudeSessionEnv } from './claude-env.js';
import { startFakeAnthropic, type ScriptedModelApi } from './fake-model-api.js';
import { nodeDevice } from './node-device.js';
import { tempDir } from './paths.js';

/**
 * A browser suite whose server runs the real Claude Code against a scripted model API, with a
 * Node device (the SDK, as the CLI uses it) that creates the sessions the browsers open.
 */
export class ClaudeBrowserSuite {
  readonly suite: BrowserSuite;
  #api: ScriptedModelApi | undefined;
  #cli: BatonClient | undefined;
  readonly #work: string;

  constructor(name: string) {
    this.suite = new BrowserSuite(name, {
      env: async () => {
        this.#api = await startFakeAnthropic();
        return claudeServerEnv(this.#api, tempDir(`${name}-env`));
      },
    });
    // After the suite's own hook (server and browser closed first): the CLI may call it until then.
    after(async () => this.#api?.close());
    this.suite.closeFirst(async () => this.#cli?.close());
    this.#work = tempDir(`${name}-work`);
  }

  get api(): ScriptedModelApi {
    assert.ok(this.#api, 'the model API has started');
    return this.#api;
  }

  /** A Claude session working in this suite's folder, created by the Node device. */
  async claudeSession(name: string): Promise<SessionInfo> {
    const baton = this.suite.baton;
    this.#cli ??= await nodeDevice(baton.url, baton.ownerToken);
    return this.#cli.createSession({
      kind: 'claude',
      name,
      config: { cwd: this.#work, env: claudeSessionEnv(this.api) },
    });
  }
}
