import { useCallback, useState } from 'react';

/**
 * This window's size policy: `follow` (Follow the writer: the PTY has the size of the window
 * that typed last) or `fit-me` (Fit to me: this window's size wins whoever types). Kept per
 * window (sessionStorage) and per session, so two windows of one browser can differ.
 */
export type SizeChoice = 'follow' | 'fit-me';

/**
 * How this window shows a terminal wider than itself: `scale` fits the text to the width (a
 * smaller font), `pan` keeps the font and scrolls sideways. Kept per browser (localStorage): it
 * is about the device's screen. Never cropped either way.
 */
export type NarrowChoice = 'scale' | 'pan';

function read(storage: () => Storage, key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    return null;
  }
}

function write(storage: () => Storage, key: string, value: string): void {
  try {
    storage().setItem(key, value);
  } catch {
    // Unavailable storage only means the choice is not remembered.
  }
}

export function useSizeChoice(sessionId: string): [SizeChoice, (c: SizeChoice) => void] {
  const key = `baton.terminal.size.${sessionId}`;
  const [choice, setChoice] = useState<SizeChoice>(() =>
    read(() => sessionStorage, key) === 'fit-me' ? 'fit-me' : 'follow',
  );
  const set = useCallback(
    (c: SizeChoice) => {
      write(() => sessionStorage, key, c);
      setChoice(c);
    },
    [key],
  );
  return [choice, set];
}

export function useNarrowChoice(): [NarrowChoice, (c: NarrowChoice) => void] {
  const key = 'baton.terminal.narrow';
  const [choice, setChoice] = useState<NarrowChoice>(() =>
    read(() => localStorage, key) === 'pan' ? 'pan' : 'scale',
  );
  const set = useCallback((c: NarrowChoice) => {
    write(() => localStorage, key, c);
    setChoice(c);
  }, []);
  return [choice, set];
}
