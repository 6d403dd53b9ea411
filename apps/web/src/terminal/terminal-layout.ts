import type { Terminal } from '@xterm/xterm';
import type { NarrowChoice } from './terminal-size-choice.js';

/** xterm's vertical scrollbar, which FitAddon also leaves room for. */
const SCROLLBAR_PX = 14;
const MIN_SCALED_FONT = 4;

export interface Layout {
  /** The columns and rows this window would have at its chosen font size: the size it reports. */
  fitted: { cols: number; rows: number };
  /** The font size to draw with: the chosen one, or smaller to fit a wider terminal. */
  fontSize: number;
  /** The session's terminal is wider (or taller) than this window at the chosen font size. */
  wider: boolean;
}

/**
 * Where the terminal's columns go in this window. The local terminal always has the session's
 * size (every window draws the same screen); this window's own size is what would fit at the
 * user's font size (`baseFont`). When the session's terminal is larger, `scale` shrinks the font
 * until all of it fits and `pan` keeps the font (the host scrolls): never cropped.
 *
 * Cell sizes are measured from the rendered screen (`.xterm-screen` is cols x rows cells) and
 * scale with the font size, so this works whatever font is drawn now. Undefined until drawn.
 */
export function computeLayout(
  host: HTMLElement,
  term: Terminal,
  baseFont: number,
  narrow: NarrowChoice,
): Layout | undefined {
  const screen = host.querySelector<HTMLElement>('.xterm-screen');
  const current = term.options.fontSize ?? baseFont;
  // Fractional sizes: clientWidth rounds, and a rounding error would read as "wider".
  const drawn = screen?.getBoundingClientRect();
  if (!drawn || drawn.width === 0 || drawn.height === 0) return undefined;
  const style = getComputedStyle(host);
  const px = (v: string): number => Number.parseFloat(v) || 0;
  const availW = host.clientWidth - px(style.paddingLeft) - px(style.paddingRight) - SCROLLBAR_PX;
  const availH = host.clientHeight - px(style.paddingTop) - px(style.paddingBottom);
  if (availW <= 0 || availH <= 0) return undefined;
  // The cell size at the base font.
  const k = baseFont / current;
  const cellW = (drawn.width / term.cols) * k;
  const cellH = (drawn.height / term.rows) * k;
  const fitted = {
    cols: Math.max(1, Math.floor(availW / cellW)),
    rows: Math.max(1, Math.floor(availH / cellH)),
  };
  const ratio = Math.min(availW / (term.cols * cellW), availH / (term.rows * cellH));
  // Within half a percent is the same size measured twice, not a wider terminal.
  const wider = ratio < 0.995;
  const fontSize =
    wider && narrow === 'scale'
      ? Math.max(MIN_SCALED_FONT, Math.floor(baseFont * ratio * 4) / 4)
      : baseFont;
  return { fitted, fontSize, wider };
}
