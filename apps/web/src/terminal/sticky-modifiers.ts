/**
 * Ctrl and Alt from the phone's extra-keys row: a tap arms the modifier for the next key typed
 * on the soft keyboard, like Termux. Armed modifiers apply to one key and are then released.
 */
export interface Modifiers {
  ctrl: boolean;
  alt: boolean;
}

export const NO_MODIFIERS: Modifiers = { ctrl: false, alt: false };

/**
 * `data` (one key from the keyboard) with the armed modifiers applied: Ctrl maps a letter or one
 * of `@[\]^_ ?` to its control character (Ctrl-C is `\x03`), Alt prefixes ESC (what xterm
 * sends for Meta). Longer input (a paste, an escape sequence) is left alone.
 */
export function applyModifiers(data: string, mods: Modifiers): string {
  if (data.length !== 1) return data;
  let out = data;
  if (mods.ctrl) {
    const c = data.toUpperCase().charCodeAt(0);
    if (c >= 0x40 && c <= 0x5f) out = String.fromCharCode(c & 0x1f);
    else if (data === ' ') out = '\x00';
    else if (data === '?') out = '\x7f';
  }
  return mods.alt ? `\x1b${out}` : out;
}
