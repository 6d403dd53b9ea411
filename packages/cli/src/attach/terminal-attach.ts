import type { SessionSealing } from '@baton/client';
import { StringDecoder } from 'node:string_decoder';
import type { LogEvent, SessionInfo, SessionStatus } from '@baton/protocol';
import { stripTerminalQueries } from '@baton/client';
import { TerminalAnswers } from './terminal-answers.js';
import { TerminalLink } from './terminal-link.js';

/** Ctrl-\ : the key that detaches `baton attach` (it never reaches the session). */
export const DETACH_KEY = '\x1c';

/** The user's terminal as input: a TTY is put in raw mode for the attachment. */
export interface AttachInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** The user's terminal as output; `resize` events (SIGWINCH) follow a TTY's size. */
export interface AttachOutput extends NodeJS.WritableStream {
  columns?: number;
  rows?: number;
}

export interface AttachTerminalOptions {
  /** The server's WebSocket URL (ws://host:port/v1/ws). */
  wsUrl: string;
  /** A device token (or the owner token). */
  token: string;
  sessionId: string;
  /** Watch only: keys (except the detach key) and size changes are not sent. */
  readOnly: boolean;
  stdin: AttachInput;
  stdout: AttachOutput;
  /** A sealed session's keys on this device (see `TerminalLinkOptions.sealing`). */
  sealing?: (() => Promise<SessionSealing>) | undefined;
}

export interface AttachResult {
  /** `detached`: the user pressed the detach key. `exited`: the session's process has ended. */
  reason: 'detached' | 'exited';
  exitCode?: number;
}

/**
 * Shows a terminal session full-screen in the user's own terminal, like `tmux attach`: keys go to
 * the session (raw mode), the session follows this terminal's size (unless read-only), Ctrl-\
 * detaches. The screen is drawn from the server's serialized screen and then the live output,
 * so it matches every other window; after a lost connection it reconnects by itself and redraws
 * the same screen from a fresh subscription.
 *
 * Resolves when the user detaches or the session's process ends (also when it had already ended:
 * the last screen is shown first). Rejects when the server refuses the attachment.
 */
export async function attachTerminal(o: AttachTerminalOptions): Promise<AttachResult> {
  const { stdin, stdout } = o;
  const write = (s: string) => void stdout.write(s);
  const ourSize = () => ({ cols: stdout.columns ?? 80, rows: stdout.rows ?? 24 });

  let headSeq = 0;
  let caughtUp = false;
  let status: SessionStatus = 'running';
  let exitCode: number | undefined;
  /** The PTY's size as far as the log says; a writer whose size differs takes it over on typing. */
  let ptySize = { cols: 0, rows: 0 };
  let settle: ((r: AttachResult) => void) | undefined;
  const ended = new Promise<AttachResult>((resolve) => (settle = resolve));

  const checkEnded = (seq: number) => {
    if (seq >= headSeq) caughtUp = true;
    if (caughtUp && (status === 'exited' || status === 'failed')) {
      settle?.(exitCode === undefined ? { reason: 'exited' } : { reason: 'exited', exitCode });
    }
  };

  const answers = new TerminalAnswers();
  const link = new TerminalLink({
    wsUrl: o.wsUrl,
    token: o.token,
    sessionId: o.sessionId,
    readOnly: o.readOnly,
    sealing: o.sealing,
    // On its own line below the screen: the user must know something was not shown.
    onUnverified: (message) => write(`\r\n[baton: ${message}]\r\n`),
    handlers: {
      onSubscribed(session: SessionInfo, head: number) {
        write(RESET_SCREEN);
        answers.reset();
        headSeq = head;
        caughtUp = false;
        status = session.status;
        exitCode = session.exitCode;
        if (!o.readOnly) {
          const { cols, rows } = ourSize();
          link.resize(cols, rows);
        }
        checkEnded(0);
      },
      onScreen(state, seq) {
        ptySize = { cols: state.cols, rows: state.rows };
        write(state.screen);
        checkEnded(seq);
      },
      onEvent(event: LogEvent) {
        if (event.type === 'terminal.output') {
          // History is redrawn, not re-run: its queries must not be answered again.
          if (event.seq <= headSeq) write(stripTerminalQueries(event.data.data));
          else {
            answers.drew(event.seq, event.data.data);
            write(event.data.data);
          }
        } else if (event.type === 'terminal.resized') ptySize = event.data;
        else if (event.type === 'session.status' && event.seq > headSeq) {
          status = event.data.status;
          exitCode = event.data.exitCode;
        }
        checkEnded(event.seq);
      },
      onReconnecting(reconnecting: boolean) {
        if (reconnecting) write(RECONNECTING_NOTICE);
      },
      onRefused() {
        write('\x07');
      },
    },
  });

  const decoder = new StringDecoder('utf8');
  const onData = (chunk: Buffer | string) => {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const cut = text.indexOf(DETACH_KEY);
    const typed = cut === -1 ? text : text.slice(0, cut);
    if (!o.readOnly && typed.length > 0) {
      for (const piece of answers.classify(typed)) {
        if (piece.report) {
          link.answer(piece.data, piece.report.querySeq);
          continue;
        }
        // Typing makes this window the writer, whose size the program gets.
        const { cols, rows } = ourSize();
        if (ptySize.cols !== cols || ptySize.rows !== rows) link.resize(cols, rows);
        link.input(piece.data);
      }
    }
    if (cut !== -1) settle?.({ reason: 'detached' });
  };
  const onResize = () => {
    if (o.readOnly) return;
    const { cols, rows } = ourSize();
    link.resize(cols, rows);
  };

  if (stdin.isTTY) stdin.setRawMode?.(true);
  stdin.on('data', onData);
  stdin.resume();
  stdout.on('resize', onResize);

  const cleanup = () => {
    stdin.off('data', onData);
    stdout.off('resize', onResize);
    if (stdin.isTTY) stdin.setRawMode?.(false);
    stdin.pause();
    link.close();
    write(RESTORE_TERMINAL);
  };

  let result: AttachResult;
  try {
    result = await Promise.race([ended, link.done.then(() => ({ reason: 'detached' as const }))]);
  } catch (err) {
    cleanup();
    throw err;
  }
  cleanup();
  if (result.reason === 'detached') write(`[detached from ${o.sessionId}]\r\n`);
  else {
    const code = result.exitCode === undefined ? '' : ` with code ${result.exitCode}`;
    write(`[${o.sessionId} exited${code}]\r\n`);
  }
  return result;
}

/**
 * Before drawing a (re)subscribed session: back to the normal screen, default modes, then clear
 * the screen and its scrollback, because the session's serialized screen brings its own.
 */
const RESET_SCREEN =
  '\x1b[?1049l\x1b[!p\x1b[?1l\x1b>\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l' +
  '\x1b[0m\x1b[?25h\x1b[H\x1b[2J\x1b[3J';

/** After detaching: leave whatever modes the session's programs set, below the last screen. */
const RESTORE_TERMINAL =
  '\x1b[?1049l\x1b[?1l\x1b>\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1004l\x1b[?2004l' +
  '\x1b[0m\x1b[?25h\r\n';

const RECONNECTING_NOTICE =
  '\r\n\x1b[0m\x1b[7m baton: connection lost, reconnecting... (Ctrl-\\ detaches) \x1b[0m\r\n';
