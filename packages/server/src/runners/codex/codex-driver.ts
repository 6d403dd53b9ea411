import { isImageType, type AgentCommand, type PermissionDecision } from '@baton/protocol';
import {
  DEFAULT_STOP_GRACE_MS,
  agentCwd,
  agentEnv,
  asNumber,
  asObject,
  asString,
  costUsd,
  describeAttachedFile,
  modelPrice,
  type AgentDriver,
  type AgentSettings,
  type DriverInit,
  type PermissionAsk,
  type SlashCommand,
  type TurnAttachment,
  type TurnResult,
} from '../agent-common/index.js';
import { METHOD_NOT_FOUND, initializeCodex } from './codex-app-server.js';
import { fileChanges, itemCompletedEvents, itemStartedEvents } from './codex-items.js';
import { CODEX_PRICES } from './codex-prices.js';
import {
  REQUEST_USER_INPUT,
  askedQuestions,
  questionAnswers,
  type AskedQuestion,
} from './codex-questions.js';
import { CodexTurnTokens } from './codex-usage.js';
import { JsonRpcPeer } from './json-rpc-peer.js';

const START_TIMEOUT_MS = 60_000;

/**
 * The slash commands a Codex session offers. Codex's own live in its terminal UI, not in the
 * app-server, so baton maps the ones the app-server has a method for (`/model` is the runner's).
 */
const CODEX_COMMANDS: AgentCommand[] = [
  { name: 'compact', description: 'Summarize the conversation to free up context' },
  { name: 'clear', description: 'Start a new conversation with empty context' },
  { name: 'new', description: 'Start a new conversation with empty context' },
  { name: 'model', description: 'Show or change the model', argumentHint: '[model]' },
];

/**
 * Drives one `codex app-server` process over JSON-RPC: `initialize`, then `thread/start` (or
 * `thread/resume` with the stored thread id), then one `turn/start` per turn and
 * `turn/interrupt` to stop one. Codex streams `item/*` notifications, asks for approvals with
 * `item/commandExecution/requestApproval` and `item/fileChange/requestApproval` requests and
 * questions with `item/tool/requestUserInput`, and ends each turn with `turn/completed` carrying
 * its status and error.
 */
export class CodexDriver implements AgentDriver {
  private peer: JsonRpcPeer | undefined;
  private threadId: string | undefined;
  private turnId: string | undefined;
  private turnIdKnown: Promise<string | undefined> = Promise.resolve(undefined);
  private lastUsage: Record<string, unknown> | undefined;
  private readonly turnTokens = new CodexTurnTokens();
  /** The model the thread runs, as Codex reported it: what a turn's cost is estimated for. */
  private model: string | undefined;
  /**
   * Open requests of Codex's, by baton request id: the JSON-RPC id to answer, and for questions
   * the ids Codex maps their answers by.
   */
  private readonly approvals = new Map<
    string,
    { rpcId: string | number; asked?: AskedQuestion[] }
  >();
  private readonly approvalByRpcId = new Map<string, string>();
  private readonly changesByItem = new Map<string, unknown>();
  /**
   * Text streamed for assistant messages Codex has not completed yet, by item id. An
   * interrupted turn never completes its message, so this is what is kept of it.
   */
  private readonly partialText = new Map<string, string>();
  /**
   * Settings devices changed while this process runs: Codex takes a model and an approval
   * policy with each `turn/start`, and keeps them for the thread's later turns.
   */
  private changed: AgentSettings = {};
  /** The thread/start or thread/resume settings, for a `/clear`'s new thread. */
  private threadSettings: Record<string, unknown> = {};

  constructor(private readonly init: DriverInit) {}

  async start(resumeId: string | undefined): Promise<void> {
    const { ctx, sink, binary } = this.init;
    const config = ctx.config;
    const cwd = agentCwd(config);
    this.peer = new JsonRpcPeer(
      {
        binary,
        args: ['app-server', ...(config.args ?? [])],
        cwd,
        env: agentEnv(config),
        children: ctx.children,
      },
      {
        onNotification: (method, params) => this.onNotification(method, asObject(params) ?? {}),
        onRequest: (id, method, params) => this.onRequest(id, method, asObject(params) ?? {}),
        onNoise: (line) => ctx.log.debug('codex printed a non-JSON line', { line }),
        onExit: (exit) => {
          this.keepPartialText();
          sink.exited(exit);
        },
      },
    );
    await initializeCodex(this.peer, START_TIMEOUT_MS);
    const settings: Record<string, unknown> = { cwd };
    if (config.model) settings.model = config.model;
    if (config.permissionMode) settings.approvalPolicy = config.permissionMode;
    if (config.systemPrompt) settings.developerInstructions = config.systemPrompt;
    this.threadSettings = settings;
    sink.commands(CODEX_COMMANDS);
    const result = resumeId
      ? await this.peer.request(
          'thread/resume',
          { threadId: resumeId, excludeTurns: true, ...settings },
          START_TIMEOUT_MS,
        )
      : await this.peer.request('thread/start', settings, START_TIMEOUT_MS);
    const threadId = asString(asObject(asObject(result)?.thread)?.id);
    if (!threadId) throw new Error('codex did not say which thread it started');
    this.model = asString(asObject(result)?.model) ?? config.model;
    this.threadId = threadId;
    sink.bound(threadId);
  }

  async sendTurn(texts: string[], attachments: readonly TurnAttachment[]): Promise<void> {
    const peer = this.peer;
    if (!peer || !this.threadId) throw new Error('codex is not running');
    this.turnId = undefined;
    // Usage Codex reported before this turn (say, after a resume) is not this turn's.
    this.turnTokens.take();
    const params: Record<string, unknown> = {
      threadId: this.threadId,
      // Images as `localImage` items (Codex reads the file and sends it as an image, as with
      // `codex --image`); other files as text naming their path, as a mention in Codex's TUI
      // puts a path into the message.
      input: [
        ...texts.map((text) => ({ type: 'text', text, text_elements: [] })),
        ...attachments.map((a) =>
          isImageType(a.type)
            ? { type: 'localImage', path: a.path }
            : { type: 'text', text: describeAttachedFile(a), text_elements: [] },
        ),
      ],
    };
    if (this.changed.model !== undefined) params.model = this.changed.model;
    if (this.changed.permissionMode !== undefined)
      params.approvalPolicy = this.changed.permissionMode;
    const started = peer.request('turn/start', params);
    this.turnIdKnown = started.then(
      (r) => asString(asObject(asObject(r)?.turn)?.id),
      () => undefined,
    );
    this.turnId = await this.turnIdKnown;
    await started;
  }

  /** Takes effect with the next `turn/start`, where Codex checks it (a refusal fails that turn). */
  applySettings(change: AgentSettings): Promise<void> {
    this.changed = { ...this.changed, ...change };
    return Promise.resolve();
  }

  /**
   * `/compact` asks the app-server to compact the thread (`thread/compact/start`; the compaction
   * runs as a turn, which ends with `turn/completed`); `/clear` and `/new` start a new thread in
   * the same process. Any other name ends the turn as failed.
   */
  async runCommand(command: SlashCommand): Promise<void> {
    const peer = this.peer;
    if (!peer || !this.threadId) throw new Error('codex is not running');
    const { sink } = this.init;
    if (!CODEX_COMMANDS.some((c) => c.name === command.name)) {
      sink.turnEnded({
        outcome: 'failed',
        error: `/${command.name} is not a command Codex offers here: baton maps /compact, /clear, /new and /model to the app-server (start a message with // to send one that begins with a slash)`,
      });
      return;
    }
    if (command.name === 'compact') {
      await peer.request('thread/compact/start', { threadId: this.threadId });
      return;
    }
    const settings: Record<string, unknown> = { ...this.threadSettings };
    if (this.changed.model !== undefined) settings.model = this.changed.model;
    if (this.changed.permissionMode !== undefined)
      settings.approvalPolicy = this.changed.permissionMode;
    const result = await peer.request('thread/start', settings, START_TIMEOUT_MS);
    const threadId = asString(asObject(asObject(result)?.thread)?.id);
    if (!threadId) throw new Error('codex did not say which thread it started');
    this.threadId = threadId;
    sink.bound(threadId);
    sink.cleared();
    sink.events([
      {
        type: 'agent.text',
        data: {
          messageId: `clear_${threadId}`,
          text: 'Started a new conversation: Codex no longer remembers what was said before.',
          command: command.name,
        },
      },
    ]);
    sink.turnEnded({ outcome: 'completed' });
  }

  async interrupt(): Promise<void> {
    const turnId = this.turnId ?? (await this.turnIdKnown);
    if (!this.peer || !this.threadId || !turnId) return;
    await this.peer.request('turn/interrupt', { threadId: this.threadId, turnId }, 10_000);
  }

  answerPermission(requestId: string, answer: PermissionDecision): void {
    const open = this.approvals.get(requestId);
    if (open === undefined) return;
    const { rpcId, asked } = open;
    this.forgetApproval(requestId);
    if (asked) {
      this.peer?.respond(rpcId, questionAnswers(asked, answer));
      return;
    }
    // Codex takes no edited input or message with an approval: allow → accept (or
    // acceptForSession: Codex then approves the same command or file for the rest of the
    // thread without asking), deny → decline (the turn goes on and the model is told the
    // command was declined).
    const decision =
      answer.decision === 'deny'
        ? 'decline'
        : answer.scope === 'session'
          ? 'acceptForSession'
          : 'accept';
    this.peer?.respond(rpcId, { decision });
  }

  async stop(): Promise<void> {
    await this.peer?.stop(this.init.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
  }

  // ---- from codex ------------------------------------------------------------------------------

  private onNotification(method: string, p: Record<string, unknown>): void {
    const sink = this.init.sink;
    switch (method) {
      case 'item/agentMessage/delta': {
        const id = asString(p.itemId);
        const delta = asString(p.delta);
        if (id && delta) {
          this.partialText.set(id, (this.partialText.get(id) ?? '') + delta);
          sink.stream(id, 'text', delta);
        }
        return;
      }
      case 'item/reasoning/summaryTextDelta':
      case 'item/reasoning/textDelta': {
        const id = asString(p.itemId);
        const delta = asString(p.delta);
        if (id && delta) sink.stream(id, 'thinking', delta);
        return;
      }
      case 'item/started': {
        const item = asObject(p.item);
        if (!item) return;
        const id = asString(item.id);
        const changes = fileChanges(item);
        if (id && changes !== undefined) this.changesByItem.set(id, changes);
        sink.events(itemStartedEvents(item));
        return;
      }
      case 'item/completed': {
        const item = asObject(p.item);
        if (!item) return;
        const id = asString(item.id);
        if (id) this.partialText.delete(id);
        sink.events(itemCompletedEvents(item));
        return;
      }
      case 'thread/tokenUsage/updated': {
        const usage = asObject(p.tokenUsage);
        const last = asObject(usage?.last);
        if (last) this.lastUsage = last;
        if (usage) this.turnTokens.add(usage);
        return;
      }
      case 'serverRequest/resolved': {
        const rpcId = p.requestId;
        const requestId =
          typeof rpcId === 'string' || typeof rpcId === 'number'
            ? this.approvalByRpcId.get(String(rpcId))
            : undefined;
        if (requestId) {
          this.forgetApproval(requestId);
          sink.permissionCancelled(requestId, 'Codex withdrew the request');
        }
        return;
      }
      case 'turn/completed':
        this.onTurnCompleted(asObject(p.turn) ?? {});
        return;
      default:
        return;
    }
  }

  /**
   * Stores what was streamed of messages Codex never completed (the turn was interrupted or
   * failed, or the process ended), as Claude does, so no device loses text it already saw.
   */
  keepPartialText(): void {
    const events = [...this.partialText].map(([messageId, text]) => ({
      type: 'agent.text' as const,
      data: { messageId, text },
    }));
    this.partialText.clear();
    if (events.length > 0) this.init.sink.events(events);
  }

  private onTurnCompleted(turn: Record<string, unknown>): void {
    this.keepPartialText();
    for (const requestId of [...this.approvals.keys()]) {
      this.forgetApproval(requestId);
      this.init.sink.permissionCancelled(requestId, 'the turn ended');
    }
    const status = asString(turn.status);
    const result: TurnResult = {
      outcome:
        status === 'interrupted' ? 'interrupted' : status === 'failed' ? 'failed' : 'completed',
    };
    const error = asString(asObject(turn.error)?.message);
    if (error && result.outcome !== 'completed') result.error = error;
    if (result.outcome === 'failed' && !result.error)
      result.error = 'Codex reported the turn failed';
    if (this.lastUsage) result.usage = this.lastUsage;
    const tokens = this.turnTokens.take();
    if (tokens) {
      result.tokens = tokens;
      // Codex reports no cost: estimate it from the tokens and the model's price (see CODEX_PRICES).
      const price = modelPrice(this.model, this.init.options.prices ?? {}, CODEX_PRICES);
      if (price) {
        result.costUsd = costUsd(tokens, price);
        result.costEstimated = true;
      }
    }
    const duration = asNumber(turn.durationMs);
    if (duration !== undefined) result.durationMs = duration;
    this.lastUsage = undefined;
    this.init.sink.turnEnded(result);
  }

  private onRequest(rpcId: string | number, method: string, p: Record<string, unknown>): void {
    if (method === REQUEST_USER_INPUT) {
      this.askQuestions(rpcId, p);
      return;
    }
    const isCommand = method === 'item/commandExecution/requestApproval';
    const isFileChange = method === 'item/fileChange/requestApproval';
    if (!isCommand && !isFileChange) {
      this.peer?.respondError(
        rpcId,
        METHOD_NOT_FOUND,
        `baton does not handle '${method}' requests`,
      );
      return;
    }
    const itemId = asString(p.itemId);
    const requestId = this.openRequest(rpcId, p);
    const reason = asString(p.reason);
    const ask: PermissionAsk = isCommand
      ? {
          requestId,
          toolName: 'command',
          input: { command: p.command ?? '', cwd: p.cwd ?? null },
        }
      : {
          requestId,
          toolName: 'file_change',
          input: {
            changes: (itemId && this.changesByItem.get(itemId)) ?? [],
            grantRoot: p.grantRoot ?? null,
          },
        };
    if (itemId) ask.toolCallId = itemId;
    const description = reason ?? (isCommand ? asString(p.command) : undefined);
    if (description) ask.description = description;
    this.init.sink.permissionRequested(ask);
  }

  /** Records an open request of Codex's; returns baton's id for it. */
  private openRequest(
    rpcId: string | number,
    p: Record<string, unknown>,
    asked?: AskedQuestion[],
  ): string {
    // Codex numbers its requests per process; the turn id makes the request id unique for good.
    const requestId = `${asString(p.turnId) ?? 'turn'}:${String(rpcId)}`;
    this.approvals.set(requestId, asked ? { rpcId, asked } : { rpcId });
    this.approvalByRpcId.set(String(rpcId), requestId);
    return requestId;
  }

  /**
   * Codex's `request_user_input` tool: its questions go to every device as a question prompt,
   * answered once from any of them (see codex-questions.ts).
   */
  private askQuestions(rpcId: string | number, p: Record<string, unknown>): void {
    const questions = askedQuestions(p);
    if (!questions) {
      // Nothing a person could answer: the model is told no question has an answer.
      this.peer?.respond(rpcId, { answers: {} });
      return;
    }
    const requestId = this.openRequest(rpcId, p, questions.asked);
    const ask: PermissionAsk = {
      requestId,
      toolName: 'AskUserQuestion',
      input: questions.input,
      description: questions.asked.map((q) => q.question).join(' '),
    };
    const itemId = asString(p.itemId);
    if (itemId) ask.toolCallId = itemId;
    this.init.sink.permissionRequested(ask);
  }

  private forgetApproval(requestId: string): void {
    const open = this.approvals.get(requestId);
    this.approvals.delete(requestId);
    if (open !== undefined) this.approvalByRpcId.delete(String(open.rpcId));
  }
}
