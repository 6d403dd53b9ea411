import type { ReactNode } from 'react';
import type { Attachment } from '@baton/protocol';
import type { NarrowChoice, SizeChoice } from './terminal-size-choice.js';

/**
 * The size control in the terminal bar: whose size the terminal has now (from presence), this
 * window's policy (Follow the writer / Fit to me), and, when the terminal is wider than this
 * window, how it is shown (fit the text to the width, or pan).
 */
export function TerminalSizeControl({
  cols,
  rows,
  attached,
  myConnectionId,
  choice,
  onChoice,
  narrow,
  onNarrow,
  wider,
  canResize,
}: {
  cols: number;
  rows: number;
  attached: readonly Attachment[];
  myConnectionId: string | undefined;
  choice: SizeChoice;
  onChoice: (c: SizeChoice) => void;
  narrow: NarrowChoice;
  onNarrow: (c: NarrowChoice) => void;
  /** The terminal is wider than this window. */
  wider: boolean;
  canResize: boolean;
}): ReactNode {
  const owner = attached.find((a) => a.sizeInUse);
  const whose =
    owner === undefined
      ? ''
      : owner.connectionId === myConnectionId
        ? 'this window'
        : owner.deviceName;
  return (
    <div className="terminal-size" data-testid="terminal-size">
      <span className="terminal-size-now" data-testid="terminal-size-now">
        {cols}×{rows}
        {whose ? ` · ${whose}` : ''}
        {owner?.fitToMe ? ' (fit to it)' : ''}
      </span>
      {canResize ? (
        <label>
          <span className="visually-hidden">Size policy</span>
          <select value={choice} onChange={(e) => onChoice(e.target.value as SizeChoice)}>
            <option value="follow">Follow the writer</option>
            <option value="fit-me">Fit to me</option>
          </select>
        </label>
      ) : null}
      {wider ? (
        <label>
          <span className="visually-hidden">When wider than this window</span>
          <select value={narrow} onChange={(e) => onNarrow(e.target.value as NarrowChoice)}>
            <option value="scale">Fit to width</option>
            <option value="pan">Pan</option>
          </select>
        </label>
      ) : null}
    </div>
  );
}
