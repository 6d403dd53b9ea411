import { PREVIEW_MAX_CHARS, type LogEvent } from '@baton/protocol';
import stripAnsi from 'strip-ansi';

/** A terminal line longer than this is cut while it is being built (only its end can show). */
const LINE_BUFFER_CHARS = 4096;

/**
 * The session's last line of output or chat text (`SessionInfo.preview`): plain text, one line,
 * at most PREVIEW_MAX_CHARS characters.
 * - Agents: the last non-empty line of the latest message, the user's or the agent's.
 * - Terminals: the last non-empty line of output, escape sequences removed; a carriage return
 *   starts the line over, as it does on the screen. An approximation of the screen's last line
 *   (cursor movements are not followed), which is enough for a list's preview.
 */
export class SessionPreview {
  private last: string | undefined;
  /** Terminal output after the last newline (the line being written). */
  private partial = '';

  apply(event: LogEvent): void {
    if (event.type === 'agent.text') this.setFrom(event.data.text);
    else if (event.type === 'input' && 'text' in event.data.payload)
      this.setFrom(event.data.payload.text);
    else if (event.type === 'terminal.output') this.feedTerminal(event.data.data);
  }

  get current(): string | undefined {
    return this.last;
  }

  private setFrom(text: string): void {
    const line = lastLine(text.split('\n'));
    if (line !== undefined) this.last = line;
  }

  private feedTerminal(data: string): void {
    const lines = (this.partial + stripAnsi(data)).split('\n');
    this.partial = lines.pop()!.slice(-LINE_BUFFER_CHARS);
    const line = lastLine([...lines.map(afterReturn), afterReturn(this.partial)]);
    if (line !== undefined) this.last = line;
  }
}

/** What a line shows after carriage returns: the text written after the last one that had any. */
function afterReturn(line: string): string {
  const parts = line.split('\r').filter((p) => p.trim() !== '');
  return parts.at(-1) ?? '';
}

/** The last line with something to show, as plain single-line text, cut to the preview length. */
function lastLine(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const plain = lines[i]!.replace(/\s+/g, ' ')
      .replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, '')
      .trim();
    if (plain === '') continue;
    return plain.length > PREVIEW_MAX_CHARS ? `${plain.slice(0, PREVIEW_MAX_CHARS - 1)}…` : plain;
  }
  return undefined;
}
