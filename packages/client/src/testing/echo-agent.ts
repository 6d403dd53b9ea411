import type { Runner, RunnerContext, RunnerFactory, InputEvent } from '@baton/server';

/**
 * A deterministic agent for integration tests, plugged in through the server's `runners`
 * option (the same extension point as the real agents). It answers each message with
 * `echo: <text>`, streamed first; the message `burst:N` makes it commit N text events, for
 * tests that need a long stream.
 */
export const echoAgent: RunnerFactory = {
  kind: 'claude',
  create: (ctx) => new EchoAgent(ctx),
};

class EchoAgent implements Runner {
  readonly #ctx: RunnerContext;

  constructor(ctx: RunnerContext) {
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    await this.#ctx.setStatus('idle');
  }

  async input(event: InputEvent): Promise<void> {
    const { payload, inputId } = event.data;
    const text = payload.kind === 'message' ? payload.text : payload.data;
    const turnId = `turn-${event.seq}`;
    await this.#ctx.emit([{ type: 'agent.turn.started', data: { turnId, inputIds: [inputId] } }]);
    const burst = /^burst:(\d+)$/.exec(text);
    if (burst) {
      const total = Number(burst[1]);
      for (let i = 0; i < total; i += 25) {
        const batch = Array.from({ length: Math.min(25, total - i) }, (_, k) => ({
          type: 'agent.text' as const,
          data: { messageId: `${turnId}-${i + k}`, text: `line ${i + k}` },
        }));
        await this.#ctx.emit(batch);
      }
    } else {
      const messageId = `${turnId}-reply`;
      this.#ctx.stream(messageId, 'text', 'echo: ');
      this.#ctx.stream(messageId, 'text', text);
      await this.#ctx.emit([{ type: 'agent.text', data: { messageId, text: `echo: ${text}` } }]);
    }
    await this.#ctx.emit([{ type: 'agent.turn.ended', data: { turnId, outcome: 'completed' } }]);
  }

  async interrupt(): Promise<void> {}

  resize(): void {}

  async stop(): Promise<void> {}
}
