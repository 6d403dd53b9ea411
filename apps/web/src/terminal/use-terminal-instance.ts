import { useEffect, useState, type RefObject } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';
import { loadRenderer, type ActiveRenderer } from './terminal-renderer.js';

/**
 * The font stack: the monospace fonts people's editors use, by platform, before the generic
 * family (which alone picks a poor font on several systems).
 */
export const TERMINAL_FONT =
  '"Cascadia Mono", "SF Mono", SFMono-Regular, Menlo, Monaco, Consolas, "JetBrains Mono", "Fira Code", "DejaVu Sans Mono", "Ubuntu Mono", "Liberation Mono", "Droid Sans Mono", ui-monospace, monospace';
export const DEFAULT_FONT_SIZE = 14;

export interface TerminalInstance {
  term: Terminal;
  fit: FitAddon;
  search: SearchAddon;
}

/**
 * One xterm.js terminal in `host` for the life of the session page: fit (this window's size),
 * search, clickable links (opened in a new tab, without access to this page), and the renderer
 * (`loadRenderer`). Recreated when the session changes.
 */
export function useTerminalInstance(
  hostRef: RefObject<HTMLDivElement | null>,
  sessionId: string,
): { instance: TerminalInstance | undefined; renderer: ActiveRenderer | undefined } {
  const [instance, setInstance] = useState<TerminalInstance>();
  const [renderer, setRenderer] = useState<ActiveRenderer>();

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    const term = new Terminal({
      cols: 80,
      rows: 24,
      scrollback: 5000,
      fontSize: DEFAULT_FONT_SIZE,
      fontFamily: TERMINAL_FONT,
      lineHeight: 1.15,
      cursorBlink: false,
      screenReaderMode: false,
      // Programs pick colours for a dark background; xterm adjusts any that would be unreadable
      // on the light theme (WCAG AA, the same bar the accessibility test holds the app to).
      minimumContrastRatio: 4.5,
      // Required by the search addon's match decorations (result counts).
      allowProposedApi: true,
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.loadAddon(
      new WebLinksAddon((event, uri) => {
        event.preventDefault();
        window.open(uri, '_blank', 'noopener,noreferrer');
      }),
    );
    term.open(host);
    const unloadRenderer = loadRenderer(term, setRenderer);
    setInstance({ term, fit, search });
    return () => {
      unloadRenderer();
      term.dispose();
      setInstance(undefined);
    };
  }, [hostRef, sessionId]);

  return { instance, renderer };
}
