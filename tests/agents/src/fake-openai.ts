import type { ServerResponse } from 'node:http';
import { SseServer, chunk, sendEvent, sleep } from './sse-server.js';

/** What the fake OpenAI Responses API answers to the next model call. */
export type OpenAiStep =
  | { kind: 'text'; text: string; chunks?: number; delayMs?: number }
  /** A shell command; `escalate` asks to run it outside the sandbox, which needs approval. */
  | { kind: 'exec'; cmd: string; escalate?: boolean }
  /** Any other tool of Codex's, called with `args` (`request_user_input`, say). */
  | { kind: 'call'; name: string; args: Record<string, unknown> }
  | { kind: 'error'; status: number; message: string };

/**
 * A scripted OpenAI Responses API (`POST /v1/responses`, streaming SSE) for driving the real
 * Codex CLI through a custom model provider. Shell commands are `exec_command` function calls,
 * the tool this Codex version offers the model.
 */
export class FakeOpenAi {
  private readonly steps: OpenAiStep[] = [];
  private readonly server = new SseServer((body, res) => this.answer(body, res));
  private calls = 0;
  readonly deltaSentAt = new Map<string, number>();
  url = '';

  async start(): Promise<this> {
    this.url = await this.server.listen();
    return this;
  }

  script(...steps: OpenAiStep[]): void {
    this.steps.push(...steps);
  }

  modelCalls(): unknown[] {
    return this.server.posts().map((r) => r.body);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** A CODEX_HOME config.toml that sends every model call to this fake. */
  codexConfig(): string {
    return [
      'model = "gpt-fake"',
      'model_provider = "fake"',
      'approval_policy = "on-request"',
      '',
      '[model_providers.fake]',
      'name = "fake"',
      `base_url = "${this.url}/v1"`,
      'wire_api = "responses"',
      'env_key = "FAKE_OPENAI_KEY"',
      'supports_websockets = false',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n');
  }

  private async answer(_body: unknown, res: ServerResponse): Promise<void> {
    this.calls += 1;
    const n = this.calls;
    const step = this.steps.shift() ?? { kind: 'text', text: 'nothing was scripted' };
    if (step.kind === 'error') {
      res.writeHead(step.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: step.message, type: 'server_error' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const responseId = `resp_fake_${n}`;
    const send = (data: { type: string } & Record<string, unknown>) =>
      sendEvent(res, data.type, data);
    send({
      type: 'response.created',
      response: { id: responseId, status: 'in_progress', output: [] },
    });
    if (step.kind === 'exec' || step.kind === 'call') {
      const [name, args] =
        step.kind === 'call'
          ? [step.name, step.args]
          : [
              'exec_command',
              {
                cmd: step.cmd,
                ...(step.escalate
                  ? { sandbox_permissions: 'require_escalated', justification: 'create the file' }
                  : {}),
              },
            ];
      const item = {
        type: 'function_call',
        id: `fc_fake_${n}`,
        call_id: `call_fake_${n}`,
        name,
        arguments: JSON.stringify(args),
        status: 'completed',
      };
      send({
        type: 'response.output_item.added',
        output_index: 0,
        item: { ...item, arguments: '' },
      });
      send({ type: 'response.output_item.done', output_index: 0, item });
    } else {
      const id = `msg_fake_${n}`;
      send({
        type: 'response.output_item.added',
        output_index: 0,
        item: { type: 'message', id, role: 'assistant', status: 'in_progress', content: [] },
      });
      send({
        type: 'response.content_part.added',
        item_id: id,
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      });
      for (const part of chunk(step.text, step.chunks ?? 4)) {
        await sleep(step.delayMs ?? 15);
        this.deltaSentAt.set(part, performance.now());
        const ok = send({
          type: 'response.output_text.delta',
          item_id: id,
          output_index: 0,
          content_index: 0,
          delta: part,
        });
        if (!ok) return;
      }
      send({
        type: 'response.output_text.done',
        item_id: id,
        output_index: 0,
        content_index: 0,
        text: step.text,
      });
      send({
        type: 'response.output_item.done',
        output_index: 0,
        item: {
          type: 'message',
          id,
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: step.text, annotations: [] }],
        },
      });
    }
    send({
      type: 'response.completed',
      response: {
        id: responseId,
        status: 'completed',
        output: [],
        usage: {
          input_tokens: 12,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 7,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 19,
        },
      },
    });
    res.end();
  }
}
