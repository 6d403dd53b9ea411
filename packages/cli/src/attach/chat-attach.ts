import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import {
  BatonClient,
  agentPrompt,
  type BatonError,
  type SealingOptions,
  type WebSocketConstructor,
} from '@baton/client';
import {
  isKnownLogEvent,
  stripUnprintable,
  type PermissionDecision,
  type SessionInfo,
} from '@baton/protocol';
import { CliError, ExitCode } from '../cli-error.js';
import { CHAT_HELP, parseChatLine } from './chat-commands.js';
import { chatStyle, clip, type ChatStyle } from './chat-format.js';
import { answersFromChoices } from './chat-prompts.js';
import { ChatScreen, type ChatOutput } from './chat-screen.js';
import { ChatView } from './chat-view.js';
import { DeviceNames } from './chat-device-names.js';
import { settleOutbox, unsentMessages } from './chat-outbox.js';

/** The user's terminal (or a pipe) as the chat view's input. */
export interface ChatInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

export interface AttachChatOptions {
  /** The server's WebSocket URL (ws://host:port/v1/ws). */
  wsUrl: string;
  /** A device token (or the owner token). */
  token: string;
  sessionId: string;
  /** Watch only: nothing typed is ever sent. */
  readOnly: boolean;
  stdin: ChatInput;
  stdout: ChatOutput;
  /** This CLI's keys for a relay's sealed sessions (`baton join`). */
  sealing?: SealingOptions | undefined;
}

/** Why the chat view ended. */
export interface ChatResult {
  reason: 'detached' | 'deleted';
}

/**
 * Follows a Claude Code or Codex session as a line-oriented chat, like every other device sees
 * it: the history (who said what, the assistant's answers, thinking, tool calls and results,
 * permission prompts and their answers, turn ends with cost, errors), then the conversation
 * live, with the assistant's text streaming in as it is written.
 *
 * A line typed and sent with Enter goes to the session through the client's outbox, so it
 * survives reconnects and is sent exactly once; while a turn runs it is queued. With a
 * permission request waiting, `/allow` and `/deny [message]` (or y / n) answer it. Ctrl-C stops
 * the current turn, Ctrl-D or `/detach` leaves. Works on a terminal (with a prompt line that
 * stays below the output) and with pipes (one command per line, plain output).
 *
 * Resolves when the user detaches or the session is deleted; rejects when the server cannot be
 * reached or refuses the credential or the session.
 */
export async function attachChat(o: AttachChatOptions): Promise<ChatResult> {
  const interactive = Boolean(o.stdin.isTTY && o.stdout.isTTY);
  const s = chatStyle(Boolean(o.stdout.isTTY) && !process.env['NO_COLOR']);
  const client = new BatonClient({
    url: o.wsUrl,
    token: o.token,
    mode: 'cli',
    label: o.readOnly ? 'baton attach (read-only)' : 'baton attach',
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    ...(o.sealing ? { sealing: o.sealing } : {}),
  });
  client.connect();
  try {
    await client.whenConnected(15_000);
  } catch (err) {
    await client.close();
    throw new CliError(
      `cannot connect to ${o.wsUrl}: ${(err as Error).message}; is baton serve running?`,
      ExitCode.Unreachable,
    );
  }
  const info = await sessionInfo(client, o.sessionId);
  if (!info) {
    await client.close();
    throw new CliError(`no session ${o.sessionId}; list them with: baton ls`, ExitCode.Failed);
  }
  const names = new DeviceNames(o.wsUrl, o.token, client);
  await names.load();

  const screen = new ChatScreen(o.stdout, interactive, s);
  const mine = new Set<string>();
  const view = new ChatView({
    screen,
    style: s,
    readOnly: o.readOnly,
    mine: (id) => mine.has(id),
    name: (id) => names.name(id),
    historyHead: info.headSeq,
  });
  const rl = createInterface({
    input: o.stdin,
    ...(interactive ? { output: screen.readlineOutput, terminal: true } : { terminal: false }),
  });
  if (interactive) screen.useReadline(rl);

  let finish: (r: ChatResult) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const done = new Promise<ChatResult>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  const waitingSummary = (): string => {
    const waiting = view.waiting();
    const first = waiting[0];
    if (!first) return '';
    const more = waiting.length > 1 ? `, ${waiting.length} waiting` : '';
    const kind = agentPrompt(first.data.toolName, first.data.input).kind;
    if (kind === 'question') return s.yellow(`answer with /answer N${more}`) + ' ';
    const ask = kind === 'plan' ? 'approve the plan' : `allow ${first.data.toolName}`;
    return s.yellow(`${ask}? [y/n${more}]`) + ' ';
  };
  const refreshPrompt = () => {
    const pending = unsentMessages(client, o.sessionId);
    const offline = client.state.status !== 'connected' ? s.red('(offline) ') : '';
    const sending = pending.length > 0 ? s.dim(`(${pending.length} sending) `) : '';
    const head = o.readOnly ? s.dim('read-only ') : waitingSummary();
    screen.setPrompt(`${offline}${sending}${head}> `);
  };

  const offs: Array<() => void> = [];
  let lostLink = false;
  offs.push(
    client.on('event', ({ sessionId, event }) => {
      if (sessionId !== o.sessionId) return;
      view.apply(event);
      refreshPrompt();
    }),
    client.on('snapshot', ({ sessionId, base }) => {
      if (sessionId !== o.sessionId) return;
      const runner = base.state?.runner;
      view.applySnapshot(
        base.seq,
        runner?.kind === 'agent' ? runner.events.filter(isKnownLogEvent) : [],
      );
      refreshPrompt();
    }),
    client.on('stream', (m) => {
      if (m.sessionId === o.sessionId) view.stream(m);
    }),
    client.on('presence', (m) => names.learn(m.attached)),
    client.on('inputFailed', ({ sessionId, inputId, error }) => {
      if (sessionId !== undefined && sessionId !== o.sessionId) return;
      const entry = client.outbox.getSnapshot().find((e) => e.inputId === inputId);
      const text = entry?.payload.kind === 'message' ? `"${clip(entry.payload.text, 60)}" ` : '';
      screen.print(
        s.red(`! not sent: ${text}(${error.code}: ${error.message})`) +
          s.dim(' — /retry sends it again'),
      );
      refreshPrompt();
    }),
    client.on('state', (state) => {
      if (state.status === 'reconnecting' && !lostLink) {
        lostLink = true;
        screen.print(
          s.red('! connection lost; reconnecting…') +
            s.dim(' (messages you send wait and go out when it is back)'),
        );
      } else if (state.status === 'connected' && lostLink) {
        lostLink = false;
        screen.print(s.dim('── reconnected'));
      } else if (state.status === 'failed') {
        fail(
          new CliError(`the server refused this connection: ${state.reason}`, ExitCode.Unreachable),
        );
      }
      refreshPrompt();
    }),
    client.on('error', (error) => {
      if (error.code === 'not_found') finish({ reason: 'deleted' });
      else screen.print(s.red(`! ${error.code}: ${error.message}`));
    }),
    client.outbox.subscribe(refreshPrompt),
    client.sessions.subscribe(() => {
      const list = client.sessions.getSnapshot();
      if (list.loaded && !client.sessions.get(info.id)) finish({ reason: 'deleted' });
    }),
  );

  const answer = (requestId: string | undefined, decision: PermissionDecision) => {
    if (o.readOnly) return screen.print(s.dim('(read-only: answers are not sent)'));
    if (!requestId) return screen.print(s.dim('no permission request is waiting'));
    client.answerPermission(o.sessionId, requestId, decision).then(
      () => {},
      (err: BatonError) =>
        screen.print(
          s.red(
            err.code === 'already_resolved'
              ? `! ${requestId} was already answered`
              : `! answer not taken (${err.code}): ${err.message}`,
          ),
        ),
    );
  };
  const stop = () => {
    if (o.readOnly) return screen.print(s.dim('(read-only: cannot stop the turn)'));
    if (!view.turnRunning) {
      return screen.print(s.dim('no turn is running; Ctrl-D or /detach leaves'));
    }
    screen.print(s.dim('(stopping the turn…)'));
    client.interrupt(o.sessionId).catch((err: BatonError) => {
      screen.print(s.red(`! stop failed (${err.code}): ${err.message}`));
    });
  };
  // The change prints when its event arrives, on every device; only a refusal prints here.
  const changeMode = (permissionMode: string) => {
    if (o.readOnly) return screen.print(s.dim('(read-only: cannot change the permission mode)'));
    client.changeAgentSettings(o.sessionId, { permissionMode }).catch((err: BatonError) => {
      screen.print(s.red(`! mode not changed (${err.code}): ${err.message}`));
    });
  };
  // Withdraws the last of this window's messages that still wait for a turn; the view prints
  // the withdrawal when its event arrives, on every device.
  const cancel = () => {
    if (o.readOnly) return screen.print(s.dim('(read-only: cannot withdraw messages)'));
    const inputId = view
      .queuedInputs()
      .filter((id) => mine.has(id))
      .at(-1);
    if (inputId === undefined) return screen.print(s.dim('none of your messages is queued'));
    client.withdraw(o.sessionId, inputId).catch((err: BatonError) => {
      screen.print(
        s.red(
          err.code === 'already_started'
            ? '! too late: the agent already took that message'
            : `! not withdrawn (${err.code}): ${err.message}`,
        ),
      );
    });
  };
  const sendMessage = (text: string) => {
    if (o.readOnly) {
      return screen.print(s.dim('(read-only: not sent; attach without --read-only to write)'));
    }
    try {
      const submitted = client.send(o.sessionId, { kind: 'message', text });
      mine.add(submitted.inputId);
      // A rejection is reported through `inputFailed`, with the text and /retry.
      submitted.confirmed.catch(() => {});
    } catch (err) {
      return screen.print(s.red(`! not sent: ${(err as Error).message}`));
    }
    if (client.state.status !== 'connected') {
      screen.print(s.dim('(offline: your message is kept and sent when the connection is back)'));
    }
  };

  rl.on('line', (line) => {
    screen.submitted(line);
    const command = parseChatLine(
      line,
      view.waiting().map((r) => r.data.requestId),
    );
    switch (command.kind) {
      case 'message':
        sendMessage(command.text);
        break;
      case 'allow': {
        const request = view.waiting().find((r) => r.data.requestId === command.requestId);
        if (request && agentPrompt(request.data.toolName, request.data.input).kind === 'question') {
          screen.print(s.dim('the agent asked questions: answer them with /answer (see /help)'));
          break;
        }
        answer(command.requestId, { decision: 'allow' });
        break;
      }
      case 'answer': {
        const request = view.waiting().find((r) => r.data.requestId === command.requestId);
        const prompt = request && agentPrompt(request.data.toolName, request.data.input);
        if (!prompt || prompt.kind !== 'question') {
          screen.print(s.red('! that request asks no questions; /allow or /deny answer it'));
          break;
        }
        const picked = answersFromChoices(prompt.questions, command.choices);
        if ('error' in picked) screen.print(s.red(`! ${picked.error}`));
        else answer(command.requestId, { decision: 'allow', answers: picked.answers });
        break;
      }
      case 'deny':
        answer(
          command.requestId,
          command.message ? { decision: 'deny', message: command.message } : { decision: 'deny' },
        );
        break;
      case 'stop':
        stop();
        break;
      case 'detach':
        finish({ reason: 'detached' });
        break;
      case 'retry':
        for (const e of client.outbox.getSnapshot()) {
          if (e.sessionId === o.sessionId && e.status === 'failed') {
            client.retry(e.inputId).confirmed.catch(() => {});
          }
        }
        break;
      case 'cancel':
        cancel();
        break;
      case 'mode':
        changeMode(command.permissionMode);
        break;
      case 'help':
        screen.print(s.dim(CHAT_HELP));
        break;
      case 'error':
        screen.print(s.red(`! ${command.message}`));
        break;
      case 'empty':
        break;
    }
    screen.showInput();
  });
  rl.on('close', () => finish({ reason: 'detached' }));
  rl.on('SIGINT', stop);
  // Without a terminal in raw mode, Ctrl-C arrives as a signal: stop a running turn, else leave.
  const onSignal = () =>
    view.turnRunning && !o.readOnly ? stop() : finish({ reason: 'detached' });
  if (!interactive) process.on('SIGINT', onSignal);

  screen.print(header(info, o.readOnly, s));
  client.subscribe(o.sessionId, o.readOnly ? { readOnly: true } : {});
  refreshPrompt();
  screen.showInput();

  let result: ChatResult;
  try {
    result = await done;
    if (result.reason === 'detached') await settleOutbox(client, o.sessionId, screen, s);
  } finally {
    process.off('SIGINT', onSignal);
    for (const off of offs) off();
    screen.close();
    rl.close();
    await client.close();
  }
  const name = stripUnprintable(client.sessions.get(info.id)?.name ?? info.name);
  o.stdout.write(
    result.reason === 'deleted'
      ? `[${name} was deleted]\n`
      : `[detached from ${name}; reattach with: baton attach ${info.id}]\n`,
  );
  return result;
}

function header(info: SessionInfo, readOnly: boolean, s: ChatStyle): string {
  const title =
    s.bold(`── ${stripUnprintable(info.name)}`) + s.dim(` · ${info.kind} · ${info.status}`);
  const others = info.attached.map((a) => `${stripUnprintable(a.deviceName)} (${a.mode})`);
  const with_ = others.length > 0 ? s.dim(` · also attached: ${others.join(', ')}`) : '';
  const how = readOnly
    ? 'read-only: watching; Ctrl-D or /detach leaves'
    : 'type a message and press Enter; /help lists commands; Ctrl-C stops a turn; Ctrl-D detaches';
  return `${title}${with_}\n${s.dim(how)}`;
}

/** The session from the sessions list, once the first `sessions.watch` reply is in. */
function sessionInfo(client: BatonClient, sessionId: string): Promise<SessionInfo | undefined> {
  return new Promise((resolve, reject) => {
    let off = () => {};
    const timer = setTimeout(() => {
      off();
      reject(
        new CliError('the server did not list its sessions within 15 s', ExitCode.Unreachable),
      );
    }, 15_000);
    const check = () => {
      const list = client.sessions.getSnapshot();
      if (!list.loaded) return;
      off();
      clearTimeout(timer);
      resolve(list.sessions.find((x) => x.id === sessionId));
    };
    off = client.sessions.subscribe(check);
    check();
  });
}
