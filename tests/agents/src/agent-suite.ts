import { after, before } from 'node:test';
import { BatonFixture } from './baton-fixture.js';
import type { Device } from './device.js';

/** A fake model API that listens once started. */
interface ModelApi {
  start(): Promise<ModelApi>;
  close(): Promise<void>;
}

/** What the tests of one `describe` share: one baton server, and model APIs made on demand. */
export interface AgentSuite<Api> {
  /** Registers a device on the suite's server and connects it. */
  device(name: string, mode?: 'tab' | 'mobile' | 'sidepanel' | 'cli'): Promise<Device>;
  /** A started model API of the calling test's own. */
  freshApi(): Promise<Api>;
  /** The suite's server: its URL and owner token, for a `baton attach` of a test. */
  server(): { url: string; ownerToken: string };
}

/**
 * Sets up an agent suite; call it inside `describe`. The server starts before the first test;
 * it and every model API are closed after the last. Each test gets its own model API because an
 * agent may make background calls that would otherwise take another test's scripted steps.
 */
export function agentSuite<Api extends ModelApi>(createApi: () => Api): AgentSuite<Api> {
  const apis: Api[] = [];
  let baton: BatonFixture | undefined;
  before(async () => {
    baton = await BatonFixture.start();
  });
  after(async () => {
    await baton?.close();
    for (const api of apis) await api.close();
  });
  return {
    device: (name, mode) => {
      if (!baton) throw new Error('the suite has not started: call device() inside a test');
      return baton.device(name, mode);
    },
    server: () => {
      if (!baton) throw new Error('the suite has not started: call server() inside a test');
      return baton.server;
    },
    freshApi: async () => {
      const api = createApi();
      await api.start();
      apis.push(api);
      return api;
    },
  };
}
