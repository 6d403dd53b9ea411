import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { BatonClient, type BatonClientOptions } from '@baton/client';
import type { Keystroke } from './keystroke-echo.js';

/**
 * One device of the typing benchmark: the real client SDK (`BatonClient`, as the web app and the
 * CLI use it) attached to one terminal session, recording when the echo of a keystroke reached
 * it. The time is taken in the SDK's `event` listener, so it includes what every device pays
 * before it can draw the echo: parsing and checking the frame and applying it to the log (and,
 * for a sealed session, opening it).
 */
export class EchoDevice {
  /** Gaps, reorders and SDK errors seen: must stay empty. */
  readonly problems: string[] = [];
  /** Terminal output since the last `expect`. */
  #output = '';
  /** Terminal output since subscribing (for the prompt). */
  #all = '';
  #lastSeq: number | undefined;
  #want: Keystroke | undefined;
  #arrivedAt: number | undefined;
  #wake: (() => void) | undefined;

  private constructor(
    readonly name: string,
    readonly client: BatonClient,
    readonly sessionId: string,
  ) {
    client.on('event', ({ sessionId: sid, event }) => {
      if (sid !== sessionId) return;
      if (this.#lastSeq !== undefined && event.seq !== this.#lastSeq + 1)
        this.problems.push(`${name} got event ${event.seq} after ${this.#lastSeq}`);
      this.#lastSeq = event.seq;
      if (event.type !== 'terminal.output') return;
      this.#all += event.data.data;
      this.#output += event.data.data;
      if (this.#want && this.#arrivedAt === undefined && this.#want.echoed(this.#output)) {
        this.#arrivedAt = performance.now();
        this.#wake?.();
      }
    });
    client.on('snapshot', ({ sessionId: sid, base }) => {
      if (sid === sessionId) this.#lastSeq = base.seq;
    });
    client.on('error', (error) => this.problems.push(`${name}: ${error.code}: ${error.message}`));
  }

  /**
   * Connects a device with its token through the SDK and subscribes it to `sessionId`. `extra`
   * adds client options (`sealing` for a device paired with a host).
   */
  static async connect(
    wsUrl: string,
    token: string,
    name: string,
    sessionId: string,
    extra: Partial<BatonClientOptions> = {},
  ): Promise<EchoDevice> {
    const client = new BatonClient({
      url: wsUrl,
      token,
      mode: 'headless',
      label: name,
      WebSocket: WebSocket as never,
      ...extra,
    });
    client.connect();
    await client.whenConnected(60_000);
    const device = new EchoDevice(name, client, sessionId);
    client.subscribe(sessionId);
    return device;
  }

  /** Resolves once the terminal printed `text` (the shell's prompt) since subscribing. */
  async printed(text: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.#all.includes(text)) {
      if (performance.now() > deadline)
        throw new Error(`${this.name}: the terminal did not print ${JSON.stringify(text)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** From now on, watch the output for `key`'s echo (call just before the keystroke is sent). */
  expect(key: Keystroke): void {
    this.#want = key;
    this.#output = '';
    this.#arrivedAt = undefined;
  }

  /**
   * When (performance.now() ms) the echo of the expected keystroke arrived; undefined if it did
   * not within `timeoutMs`.
   */
  async arrival(timeoutMs: number): Promise<number | undefined> {
    if (this.#arrivedAt === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    return this.#arrivedAt;
  }

  /** Types `data` into the session, through the SDK's outbox. */
  type(data: string): void {
    this.client.send(this.sessionId, { kind: 'terminal', data });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
