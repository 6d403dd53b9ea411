import type { ReactNode } from 'react';
import type { Modifiers } from './sticky-modifiers.js';

/** The keys a phone's soft keyboard lacks, with what each sends (arrows by cursor mode). */
const KEYS: { label: string; name: string; data: (appCursor: boolean) => string }[] = [
  // The name holds the visible text, so speech input ("press Esc") finds the button too.
  { label: 'Esc', name: 'Esc (Escape)', data: () => '\x1b' },
  { label: 'Tab', name: 'Tab', data: () => '\t' },
  { label: '←', name: 'Left', data: (app) => (app ? '\x1bOD' : '\x1b[D') },
  { label: '↑', name: 'Up', data: (app) => (app ? '\x1bOA' : '\x1b[A') },
  { label: '↓', name: 'Down', data: (app) => (app ? '\x1bOB' : '\x1b[B') },
  { label: '→', name: 'Right', data: (app) => (app ? '\x1bOC' : '\x1b[C') },
];

/**
 * The extra-keys row under a terminal on a touch screen: Esc, Tab, Ctrl and Alt (armed for the
 * next key, `applyModifiers`) and the arrows. Buttons never take the focus from the terminal, so
 * the soft keyboard stays up while they are tapped.
 */
export function ExtraKeys({
  mods,
  onModsChange,
  send,
  appCursor,
}: {
  mods: Modifiers;
  onModsChange: (mods: Modifiers) => void;
  send: (data: string) => void;
  appCursor: () => boolean;
}): ReactNode {
  const key = (k: (typeof KEYS)[number]) => (
    <KeyButton key={k.name} label={k.name} onPress={() => send(k.data(appCursor()))}>
      {k.label}
    </KeyButton>
  );
  return (
    <div className="extra-keys" role="toolbar" aria-label="Extra keys">
      {KEYS.slice(0, 2).map(key)}
      {(['ctrl', 'alt'] as const).map((m) => (
        <KeyButton
          key={m}
          pressed={mods[m]}
          onPress={() => onModsChange({ ...mods, [m]: !mods[m] })}
        >
          {m === 'ctrl' ? 'Ctrl' : 'Alt'}
        </KeyButton>
      ))}
      {KEYS.slice(2).map(key)}
    </div>
  );
}

/** One button of the row; pressing it never moves the focus off the terminal. */
function KeyButton({
  label,
  pressed,
  onPress,
  children,
}: {
  label?: string;
  pressed?: boolean;
  onPress: () => void;
  children: ReactNode;
}): ReactNode {
  const keepFocus = (e: { preventDefault(): void }): void => e.preventDefault();
  return (
    <button
      type="button"
      aria-label={label}
      aria-pressed={pressed}
      onPointerDown={keepFocus}
      onMouseDown={keepFocus}
      onClick={onPress}
    >
      {children}
    </button>
  );
}
