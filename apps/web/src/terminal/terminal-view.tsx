import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Attachment, SessionInfo } from '@baton/protocol';
import { isTerminalReport } from '@baton/client';
import { useBatonClient } from '@baton/react';
import { terminalTheme } from './terminal-theme.js';
import { useMediaQuery } from '../use-media-query.js';
import { DEFAULT_FONT_SIZE, useTerminalInstance } from './use-terminal-instance.js';
import { useTerminalLog } from './use-terminal-log.js';
import { usePinchZoom } from './use-pinch-zoom.js';
import { applyModifiers, NO_MODIFIERS, type Modifiers } from './sticky-modifiers.js';
import { ExtraKeys } from './extra-keys.js';
import { TerminalToolbar } from './terminal-toolbar.js';
import { TerminalSearch } from './terminal-search.js';
import { TerminalExited } from './terminal-exited.js';
import { TerminalSizeControl } from './terminal-size-control.js';
import { useNarrowChoice, useSizeChoice } from './terminal-size-choice.js';
import { computeLayout, type Layout } from './terminal-layout.js';
import './terminal.css';

/**
 * A terminal session in xterm.js, with its bar (find, copy, paste, size), the phone's extra
 * keys and, once the program ended, "process exited — Restart" inside the terminal area.
 *
 * The screen is exactly the session's (`useTerminalLog`); the local terminal always has the
 * session's size. This window's fitted size is reported with its size policy (Follow the writer
 * or Fit to me); a session wider than this window is fitted to its width or panned
 * (`computeLayout`). Keys go to the outbox like any input, so typing while briefly offline is
 * delivered when back. Answers the emulator gives to a program's queries are sent as reports:
 * the server types only its responder window's.
 *
 * The terminal takes the focus when it opens (and when the session becomes writable), so typing
 * right away reaches the shell.
 */
export function TerminalView({
  sessionId,
  live,
  readOnly,
  savedText,
  onSave,
  info,
  attached,
  myConnectionId,
  modeControl,
}: {
  sessionId: string;
  live: boolean;
  readOnly: boolean;
  /** The saved screen text, shown while there is no live view. */
  savedText: string | undefined;
  onSave: (text: string) => void;
  info: SessionInfo | undefined;
  attached: readonly Attachment[];
  myConnectionId: string | undefined;
  /** This window's Typing/Watching choice, first in the terminal's bar (absent for a viewer). */
  modeControl?: ReactNode;
}): ReactNode {
  const client = useBatonClient();
  const hostRef = useRef<HTMLDivElement>(null);
  const { instance, renderer } = useTerminalInstance(hostRef, sessionId);
  const term = instance?.term;
  const readOnlyRef = useRef(readOnly);
  readOnlyRef.current = readOnly;
  const dark = useMediaQuery('(prefers-color-scheme: dark)');
  const reducedMotion = useMediaQuery('(prefers-reduced-motion: reduce)');
  const touch = useMediaQuery('(pointer: coarse)');
  const [searchOpen, setSearchOpen] = useState(false);
  const [mods, setMods] = useState<Modifiers>(NO_MODIFIERS);
  const modsRef = useRef(mods);
  modsRef.current = mods;
  const [baseFont, setBaseFont] = useState(DEFAULT_FONT_SIZE);
  const [sizeChoice, setSizeChoice] = useSizeChoice(sessionId);
  const [narrow, setNarrow] = useNarrowChoice();
  const [layout, setLayout] = useState<Layout>();
  const [termSize, setTermSize] = useState({ cols: 80, rows: 24 });

  const drawing = useTerminalLog(term, sessionId, savedText, onSave);
  usePinchZoom(hostRef, baseFont, setBaseFont);

  useEffect(() => {
    if (!term) return;
    term.options.theme = terminalTheme(dark);
    term.options.cursorBlink = !reducedMotion;
  }, [term, dark, reducedMotion]);

  const sendKeys = useCallback(
    (data: string) => {
      if (readOnlyRef.current) return;
      client.send(sessionId, { kind: 'terminal', data });
    },
    [client, sessionId],
  );

  // Keys and the emulator's own answers. Ctrl+Shift+F opens the search instead of typing.
  useEffect(() => {
    if (!term) return undefined;
    // xterm sends a key's data from inside the key event, right after onKey: data that looks like
    // an answer in that same task is what the user typed (a modified function key can read
    // like a cursor report). Any other is the emulator's answer to what it is drawing.
    let inKeyEvent = false;
    term.attachCustomKeyEventHandler((e) => {
      if (e.type === 'keydown' && e.ctrlKey && e.shiftKey && e.code === 'KeyF') {
        e.preventDefault();
        setSearchOpen(true);
        return false;
      }
      return true;
    });
    const keyOff = term.onKey(() => {
      inKeyEvent = true;
      queueMicrotask(() => (inKeyEvent = false));
    });
    const dataOff = term.onData((data) => {
      if (readOnlyRef.current) return;
      if (isTerminalReport(data) && !inKeyEvent) {
        // An answer is about the screen now: never queued for later, never sent offline.
        if (client.session(sessionId)?.status !== 'live') return;
        const querySeq = drawing.seq;
        client.send(sessionId, {
          kind: 'terminal',
          data,
          report: true,
          ...(querySeq !== undefined ? { querySeq } : {}),
        });
        return;
      }
      const m = modsRef.current;
      if (m.ctrl || m.alt) setMods(NO_MODIFIERS);
      client.send(sessionId, { kind: 'terminal', data: applyModifiers(data, m) });
    });
    const resizeOff = term.onResize(({ cols, rows }) => setTermSize({ cols, rows }));
    setTermSize({ cols: term.cols, rows: term.rows });
    return () => {
      keyOff.dispose();
      dataOff.dispose();
      resizeOff.dispose();
      term.attachCustomKeyEventHandler(() => true);
    };
  }, [term, client, sessionId, drawing]);

  // Focus on open, and again when the terminal becomes writable.
  useEffect(() => {
    if (term && !readOnly) term.focus();
  }, [term, readOnly]);

  // Layout: this window's fitted size and the font that shows the whole terminal.
  const relayout = useCallback(() => {
    const host = hostRef.current;
    if (!term || !host) return;
    const next = computeLayout(host, term, baseFont, narrow);
    if (!next) return;
    if (term.options.fontSize !== next.fontSize) term.options.fontSize = next.fontSize;
    setLayout((prev) =>
      prev &&
      prev.fontSize === next.fontSize &&
      prev.wider === next.wider &&
      prev.fitted.cols === next.fitted.cols &&
      prev.fitted.rows === next.fitted.rows
        ? prev
        : next,
    );
  }, [term, baseFont, narrow]);

  useEffect(() => {
    const host = hostRef.current;
    if (!term || !host) return undefined;
    let frame = 0;
    const schedule = (): void => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(relayout);
    };
    const observer = new ResizeObserver(schedule);
    observer.observe(host);
    const screen = host.querySelector('.xterm-screen');
    if (screen) observer.observe(screen);
    const resizeOff = term.onResize(schedule);
    schedule();
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      resizeOff.dispose();
    };
  }, [term, relayout]);

  // Reports this window's size and policy; the server decides whose size the PTY has.
  const fittedCols = layout?.fitted.cols;
  const fittedRows = layout?.fitted.rows;
  const fitToMe = sizeChoice === 'fit-me';
  useEffect(() => {
    if (fittedCols === undefined || fittedRows === undefined || !live || readOnly) return undefined;
    const cols = Math.max(20, Math.min(1000, fittedCols));
    const rows = Math.max(5, Math.min(500, fittedRows));
    const timer = setTimeout(() => {
      client.resize(sessionId, cols, rows, { fitToMe }).catch(() => {
        // Sent again with the next size change or reconnect (this effect re-runs on `live`).
      });
    }, 150);
    return () => clearTimeout(timer);
  }, [fittedCols, fittedRows, fitToMe, live, readOnly, client, sessionId]);

  const wider = layout?.wider ?? false;
  return (
    <div className="terminal-view">
      <TerminalToolbar
        term={term}
        readOnly={readOnly}
        searchOpen={searchOpen}
        onSearchToggle={() => setSearchOpen(!searchOpen)}
        before={modeControl}
      >
        <TerminalSizeControl
          cols={termSize.cols}
          rows={termSize.rows}
          attached={attached}
          myConnectionId={myConnectionId}
          choice={sizeChoice}
          onChoice={setSizeChoice}
          narrow={narrow}
          onNarrow={setNarrow}
          wider={wider}
          canResize={live && !readOnly}
        />
      </TerminalToolbar>
      {searchOpen && instance ? (
        <TerminalSearch
          search={instance.search}
          onClose={() => {
            setSearchOpen(false);
            term?.focus();
          }}
        />
      ) : null}
      <div className="terminal-frame">
        <div
          className={`terminal-host${wider && narrow === 'pan' ? ' terminal-pan' : ''}`}
          ref={hostRef}
          role="region"
          aria-label={readOnly ? 'Terminal (read-only)' : 'Terminal'}
          data-testid="terminal"
          data-renderer={renderer}
          onClick={() => term?.focus()}
        />
        {info ? <TerminalExited info={info} /> : null}
      </div>
      {touch && !readOnly ? (
        <ExtraKeys
          mods={mods}
          onModsChange={(m) => {
            setMods(m);
            term?.focus();
          }}
          send={sendKeys}
          appCursor={() => term?.modes.applicationCursorKeysMode ?? false}
        />
      ) : null}
    </div>
  );
}
