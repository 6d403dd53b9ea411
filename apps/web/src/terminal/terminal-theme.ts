import type { ITheme } from '@xterm/xterm';

const DARK: ITheme = {
  background: '#0d1117',
  foreground: '#e6edf3',
  cursor: '#e6edf3',
  selectionBackground: '#264f78',
};
const LIGHT: ITheme = {
  background: '#ffffff',
  foreground: '#1f2328',
  cursor: '#1f2328',
  selectionBackground: '#b6d7ff',
  black: '#24292f',
  brightBlack: '#57606a',
  white: '#6e7781',
  brightWhite: '#8c959f',
  yellow: '#7d4e00',
  brightYellow: '#633c01',
};

/** The terminal colours for the user's light or dark preference. */
export function terminalTheme(dark: boolean): ITheme {
  return dark ? DARK : LIGHT;
}
