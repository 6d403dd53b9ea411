import type { ServerResponse } from 'node:http';
import { SseServer, chunk, sendEvent, sleep } from './sse-server.js';

/** What the fake Anthropic Messages API answers to the next model call. */
export type AnthropicStep =
  | {
      kind: 'text';
      text: string;
      chunks?: number;
      delayMs?: number;
      /** Stop after this many deltas until `release()` (a reply held mid-stream). */
      holdAfterChunks?: number;
    }
  | { kind: 'tool'; name: string; input: Record<string, unknown> }
  /**
   * A model in plan mode finishing its plan, over two calls: it writes `plan` into the plan file
   * Claude Code's instructions name (2.1.332 reads the plan from there), then calls
   * `ExitPlanMode` with it (the input earlier releases read it from).
   */
  | { kind: 'plan'; plan: string }
  | { kind: 'error'; status: number; message: string };

/**
 * A scripted Anthropic Messages API (`POST /v1/messages`, streaming SSE) for driving the real
 * Claude Code CLI. Each model call takes the next scripted step; `deltaSentAt` records when each
 * text delta was written (for latency measurements).
 */
export class FakeAnthropic {
  private readonly steps: AnthropicStep[] = [];
  private readonly server = new SseServer((body, res) => this.answer(body, res));
  private calls = 0;
  private releaseHeld: (() => void) | undefined;
  private released = false;
  /** Text delta → the time (ms, performance.now) it was written to the socket. */
  readonly deltaSentAt = new Map<string, number>();
  url = '';

  async start(): Promise<this> {
    this.url = await this.server.listen();
    return this;
  }

  script(...steps: AnthropicStep[]): void {
    this.steps.push(...steps);
  }

  /** Bodies of the model calls received so far. */
  modelCalls(): unknown[] {
    return this.server.posts().map((r) => r.body);
  }

  /** Lets a reply held by `holdAfterChunks` go on (now, or as soon as it reaches the hold). */
  release(): void {
    this.released = true;
    this.releaseHeld?.();
  }

  close(): Promise<void> {
    this.release();
    return this.server.close();
  }

  private async answer(body: unknown, res: ServerResponse): Promise<void> {
    const request = body as { stream?: unknown; model?: unknown } | undefined;
    if (request?.stream !== true) {
      // A request that is not a turn's streamed reply: Claude Code checks a model named by
      // `set_model` with a small non-streaming call (2.1.332). It takes no scripted step.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'msg_fake_check',
          type: 'message',
          role: 'assistant',
          model: typeof request?.model === 'string' ? request.model : 'claude-fake',
          content: [{ type: 'text', text: 'ok' }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 1, output_tokens: 1 },
        }),
      );
      return;
    }
    this.calls += 1;
    const n = this.calls;
    let step = this.steps.shift() ?? { kind: 'text', text: 'nothing was scripted' };
    if (step.kind === 'plan') {
      this.steps.unshift({ kind: 'tool', name: 'ExitPlanMode', input: { plan: step.plan } });
      const file = planFileNamedIn(body);
      step = { kind: 'tool', name: 'Write', input: { file_path: file, content: step.plan } };
    }
    if (step.kind === 'error') {
      res.writeHead(step.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ type: 'error', error: { type: 'api_error', message: step.message } }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const usage = { input_tokens: 12, output_tokens: 1 };
    sendEvent(res, 'message_start', {
      type: 'message_start',
      message: {
        id: `msg_fake_${n}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-fake',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage,
      },
    });
    let stop = 'end_turn';
    if (step.kind === 'tool') {
      stop = 'tool_use';
      sendEvent(res, 'content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: `toolu_fake_${n}`, name: step.name, input: {} },
      });
      for (const part of chunk(JSON.stringify(step.input), 2)) {
        sendEvent(res, 'content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: part },
        });
      }
    } else {
      sendEvent(res, 'content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      });
      let sent = 0;
      this.released = false;
      for (const part of chunk(step.text, step.chunks ?? 4)) {
        if (sent++ === step.holdAfterChunks && !this.released)
          await new Promise<void>((resolve) => (this.releaseHeld = resolve));
        await sleep(step.delayMs ?? 15);
        this.deltaSentAt.set(part, performance.now());
        const ok = sendEvent(res, 'content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: part },
        });
        if (!ok) return;
      }
    }
    sendEvent(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
    sendEvent(res, 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stop, stop_sequence: null },
      usage: { output_tokens: 7 },
    });
    sendEvent(res, 'message_stop', { type: 'message_stop' });
    res.end();
  }
}

/** The plan file Claude Code's plan-mode instructions in a model request name. */
function planFileNamedIn(request: unknown): string {
  const path = /create your plan at (\S+\.md) using the Write tool/.exec(JSON.stringify(request));
  if (!path) throw new Error('the model request names no plan file: is the session in plan mode?');
  return path[1]!;
}
