/**
 * The keystrokes of the typing benchmark and how each one's echo is recognised in a shell's
 * output. Keystrokes alternate a letter and DEL, so readline's line never grows (no wrapping, no
 * redraw of a long line) and every keystroke, the erasing ones too, is measured.
 *
 * Recognising an echo by its content, not by "the next output", keeps a late fragment of the
 * previous echo from passing for this one: a letter's echo is the letter, and the letters used
 * are none that end an escape sequence readline writes (`h`/`l` set and reset modes such as
 * bracketed paste, `m` sets colours; the erasing sequences end in capitals); DEL's echo always
 * holds a backspace (`\b \b`, or `\b` followed by erase-to-end-of-line), which no letter's does.
 */

const LETTERS = 'abcdefgijknopqrstuvwxyz';
const DEL = '\x7f';

export interface Keystroke {
  /** What the device types. */
  data: string;
  /** Whether `output`, everything the terminal printed since the keystroke was sent, holds its echo. */
  echoed(output: string): boolean;
}

/** The `n`-th keystroke (from 0): a letter on even `n`, DEL (erasing it) on odd `n`. */
export function keystroke(n: number): Keystroke {
  if (!Number.isInteger(n) || n < 0) throw new Error(`keystroke index must be ≥ 0, not ${n}`);
  if (n % 2 === 1) return { data: DEL, echoed: (output) => output.includes('\b') };
  const letter = LETTERS[(n / 2) % LETTERS.length]!;
  return { data: letter, echoed: (output) => output.includes(letter) };
}
