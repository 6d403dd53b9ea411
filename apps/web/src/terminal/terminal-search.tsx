import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { SearchAddon, ISearchOptions } from '@xterm/addon-search';

/** Match colours (the addon needs #RRGGBB); the same in both themes, like VS Code's. */
const DECORATIONS: NonNullable<ISearchOptions['decorations']> = {
  matchBackground: '#623315',
  matchOverviewRuler: '#d18616',
  activeMatchBackground: '#a8690e',
  activeMatchColorOverviewRuler: '#f2cc60',
};

/**
 * Find in the terminal's screen and scrollback (Ctrl+Shift+F or the Search button): as-you-type,
 * Enter for the next match, Shift+Enter for the previous, Escape closes and returns the focus to
 * the terminal. Shows "n of m".
 */
export function TerminalSearch({
  search,
  onClose,
}: {
  search: SearchAddon;
  onClose: () => void;
}): ReactNode {
  const inputRef = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<{ index: number; count: number }>();

  useEffect(() => {
    inputRef.current?.focus();
    const off = search.onDidChangeResults((r) =>
      setResults({ index: r.resultIndex, count: r.resultCount }),
    );
    return () => {
      off.dispose();
      search.clearDecorations();
    };
  }, [search]);

  const find = (forward: boolean, incremental = false): void => {
    if (query === '') return;
    const options: ISearchOptions = { decorations: DECORATIONS, incremental };
    if (forward) search.findNext(query, options);
    else search.findPrevious(query, options);
  };

  useEffect(() => {
    if (query === '') {
      search.clearDecorations();
      setResults(undefined);
      return;
    }
    search.findNext(query, { decorations: DECORATIONS, incremental: true });
  }, [search, query]);

  return (
    <div className="terminal-search" role="search">
      <label className="visually-hidden" htmlFor="terminal-search-input">
        Find in terminal
      </label>
      <input
        id="terminal-search-input"
        ref={inputRef}
        type="search"
        placeholder="Find"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            find(!e.shiftKey);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onClose();
          }
        }}
      />
      <span className="terminal-search-count" aria-live="polite" data-testid="search-count">
        {query === '' || !results
          ? ''
          : results.count === 0
            ? 'No results'
            : `${results.index + 1} of ${results.count}`}
      </span>
      <button type="button" onClick={() => find(false)} aria-label="Previous match">
        ↑
      </button>
      <button type="button" onClick={() => find(true)} aria-label="Next match">
        ↓
      </button>
      <button type="button" onClick={onClose} aria-label="Close search">
        ✕
      </button>
    </div>
  );
}
