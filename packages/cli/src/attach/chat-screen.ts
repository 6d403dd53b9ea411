import { Writable } from 'node:stream';
import { clearScreenDown, cursorTo, moveCursor, type Interface } from 'node:readline';
import { streamBody, streamLabel, type ChatStyle } from './chat-format.js';

/** Where the chat view writes: the user's terminal, or a pipe. */
export interface ChatOutput extends NodeJS.WritableStream {
  columns?: number;
  isTTY?: boolean;
}

/** Printable width of `s`: ANSI styling takes no columns. */
export function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/**
 * The chat view's output: finished lines scroll up, the message being streamed grows on the
 * current line, and (on a terminal) the input line with its prompt sits below everything.
 *
 * Invariants:
 * - While a streamed message is open on the current line, the input line is hidden and what
 *   readline writes is dropped (keys still edit its buffer); the input line is redrawn, with
 *   whatever was typed meanwhile, as soon as the stream's line ends.
 * - Every streamed message's text is tracked until its final text arrives, so the final text
 *   adds only what the stream had not shown: nothing is printed twice, and a final text that
 *   no stream preceded (history, or fragments lost in a reconnect) is printed whole.
 */
export class ChatScreen {
  /** What readline writes to; forwards to the terminal only while the input line is shown. */
  readonly readlineOutput: Writable;
  private rl: Interface | undefined;
  private inputShown = false;
  private gateOpen = true;
  private open: { messageId: string; channel: 'text' | 'thinking' } | undefined;
  private lastChar = '\n';
  private readonly shown = new Map<string, string>();
  private readonly finished = new Set<string>();
  private closed = false;

  constructor(
    private readonly out: ChatOutput,
    /** A terminal on both ends: draw a prompt and redraw it around output. */
    readonly interactive: boolean,
    private readonly style: ChatStyle,
  ) {
    const gate = new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        if (this.gateOpen && !this.closed) this.out.write(chunk);
        callback();
      },
    });
    Object.defineProperty(gate, 'columns', { get: () => this.out.columns });
    this.readlineOutput = gate;
  }

  /** The readline interface that owns the input line (only for an interactive screen). */
  useReadline(rl: Interface): void {
    this.rl = rl;
  }

  /** Prints finished lines above the input line. */
  print(block: string): void {
    if (this.closed) return;
    this.hideInput();
    this.endOpenLine();
    this.write(block.endsWith('\n') ? block : block + '\n');
    this.showInput();
  }

  /** A streamed fragment of a message: shown at once on the message's line. */
  delta(messageId: string, channel: 'text' | 'thinking', text: string): void {
    if (this.closed || this.finished.has(messageId) || text.length === 0) return;
    const before = this.shown.get(messageId);
    if (this.open?.messageId !== messageId) {
      this.hideInput();
      this.endOpenLine();
      this.gateOpen = false;
      this.write(streamLabel(this.style, channel, before !== undefined));
      this.open = { messageId, channel };
    }
    this.write(streamBody(this.style, channel, text));
    this.shown.set(messageId, (before ?? '') + text);
  }

  /** A message's final text: completes what its stream showed, or prints it whole. */
  finish(messageId: string, channel: 'text' | 'thinking', text: string): void {
    if (this.closed) return;
    this.finished.add(messageId);
    const before = this.shown.get(messageId);
    this.shown.delete(messageId);
    const wasOpen = this.open?.messageId === messageId;
    if (before !== undefined && text.startsWith(before)) {
      const rest = text.slice(before.length);
      if (wasOpen) {
        this.write(streamBody(this.style, channel, rest));
        this.endOpenLine();
        this.showInput();
      } else if (rest.length > 0) {
        this.print(streamLabel(this.style, channel, true) + streamBody(this.style, channel, rest));
      }
      return;
    }
    if (wasOpen) this.endOpenLine();
    this.print(streamLabel(this.style, channel, false) + streamBody(this.style, channel, text));
  }

  /** A turn ended: fragments of messages that never got a final text end their line here. */
  endStreams(): void {
    if (this.open) {
      this.endOpenLine();
      this.showInput();
    }
    this.shown.clear();
  }

  /** Changes the prompt, redrawing the input line if it is shown. */
  setPrompt(prompt: string): void {
    if (!this.rl || this.closed) return;
    if (this.rl.getPrompt() === prompt) return;
    this.rl.setPrompt(prompt);
    if (this.inputShown) {
      this.hideInput();
      this.showInput();
    }
  }

  /**
   * The user pressed Enter: readline left the typed line on screen above the cursor. It is
   * erased, because the log shows the message as sent (with who sent it) once it is stored.
   */
  submitted(line: string): void {
    if (!this.interactive || !this.rl || !this.inputShown || this.closed) return;
    const columns = Math.max(1, this.out.columns ?? 80);
    const rows = Math.max(1, Math.ceil(visibleLength(this.rl.getPrompt() + line) / columns));
    moveCursor(this.out, 0, -rows);
    cursorTo(this.out, 0);
    clearScreenDown(this.out);
    this.inputShown = false;
    this.lastChar = '\n';
  }

  /** Shows the input line (after start-up, or after the user's line was handled). */
  showInput(): void {
    if (!this.interactive || !this.rl || this.inputShown || this.open || this.closed) return;
    this.gateOpen = true;
    this.inputShown = true;
    this.rl.prompt(true);
  }

  /** Stops drawing: the final lines are the caller's. */
  close(): void {
    this.hideInput();
    this.endOpenLine();
    this.closed = true;
  }

  private hideInput(): void {
    if (!this.inputShown || !this.rl) return;
    const { rows } = this.rl.getCursorPos();
    if (rows > 0) moveCursor(this.out, 0, -rows);
    cursorTo(this.out, 0);
    clearScreenDown(this.out);
    this.inputShown = false;
    this.lastChar = '\n';
  }

  private endOpenLine(): void {
    if (this.lastChar !== '\n') this.write('\n');
    this.open = undefined;
  }

  private write(s: string): void {
    if (s.length === 0) return;
    this.out.write(s);
    const plain = s.replace(/\x1b\[[0-9;]*m/g, '');
    if (plain.length > 0) this.lastChar = plain[plain.length - 1]!;
  }
}
