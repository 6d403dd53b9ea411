import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { SessionBase } from '@baton/client';
import { useBatonClient } from '@baton/react';
import { isTerminalReport } from './terminal-reports.js';
import { terminalTheme } from './terminal-theme.js';
import { useMediaQuery } from '../use-media-query.js';

/** How long after a key press xterm's output counts as typed by the user. */
const KEY_WINDOW_MS = 100;
const SAVE_EVERY_MS = 2000;

/**
 * A terminal session in xterm.js. The screen is exactly the session's: the server's snapshot
 * (serialized screen, written into a fresh terminal of the session's size) and then every
 * `terminal.output` event in log order, each written once as it arrives, so every window shows
 * the same screen. xterm holds the screen; the client keeps only a short tail of the log. The local
 * terminal always has the session's size (from the snapshot and `terminal.resized`); this
 * window's fitted size is sent as `resize`, and the server applies the latest writer's size.
 * Keys go to the outbox like any input, so typing while offline is delivered when back.
 */
export function TerminalView({
  sessionId,
  live,
  readOnly,
  savedText,
  onSave,
}: {
  sessionId: string;
  live: boolean;
  readOnly: boolean;
  /** The saved screen text, shown while there is no live view. */
  savedText: string | undefined;
  onSave: (text: string) => void;
}): ReactNode {
  const client = useBatonClient();
  const hostRef = useRef<HTMLDivElement>(null);
  const [term, setTerm] = useState<{ term: Terminal; fit: FitAddon }>();
  const written = useRef<{ base: SessionBase | undefined | null; seq: number; saved: boolean }>({
    base: null,
    seq: 0,
    saved: false,
  });
  const readOnlyRef = useRef(readOnly);
  readOnlyRef.current = readOnly;
  const onSaveRef = useRef(onSave);
  onSaveRef.current = onSave;
  const dark = useMediaQuery('(prefers-color-scheme: dark)');
  const reducedMotion = useMediaQuery('(prefers-reduced-motion: reduce)');

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    const t = new Terminal({
      cols: 80,
      rows: 24,
      scrollback: 5000,
      fontSize: 14,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
      cursorBlink: false,
      screenReaderMode: false,
    });
    const fit = new FitAddon();
    t.loadAddon(fit);
    t.open(host);
    let lastKeyAt = 0;
    const keyOff = t.onKey(() => {
      lastKeyAt = performance.now();
    });
    const dataOff = t.onData((data) => {
      if (readOnlyRef.current) return;
      if (isTerminalReport(data) && performance.now() - lastKeyAt > KEY_WINDOW_MS) return;
      client.send(sessionId, { kind: 'terminal', data });
    });
    setTerm({ term: t, fit });
    written.current = { base: null, seq: 0, saved: false };
    return () => {
      keyOff.dispose();
      dataOff.dispose();
      t.dispose();
      setTerm(undefined);
    };
  }, [client, sessionId]);

  useEffect(() => {
    if (!term) return;
    term.term.options.theme = terminalTheme(dark);
    term.term.options.cursorBlink = !reducedMotion;
  }, [term, dark, reducedMotion]);

  // Writes the log into the terminal: a new base (snapshot) starts a fresh screen, then each
  // event is written once, as it is applied. The store is read directly on every change rather
  // than through props, so the work per event is O(1): nothing walks the events already written.
  useEffect(() => {
    if (!term) return undefined;
    const t = term.term;
    // A read-only hold of its own: the store must exist before this (child) effect's parent
    // subscribes, and read-only holds never change the page's write access.
    const store = client.subscribe(sessionId, { readOnly: true });
    const w = written.current;
    let saveTimer: ReturnType<typeof setTimeout> | undefined;
    let resynced = false;
    const write = (): void => {
      const base = store.base;
      const hasLive = base !== undefined || store.lastSeq > 0;
      if (!hasLive) {
        if (savedText !== undefined && !w.saved) {
          t.reset();
          t.write(savedText.replace(/\n/g, '\r\n'));
          w.saved = true;
        }
        return;
      }
      if (w.base !== base || w.saved) {
        t.reset();
        w.saved = false;
        w.seq = base?.seq ?? 0;
        w.base = base;
        const runner = base?.state?.runner;
        if (runner?.kind === 'terminal') {
          t.resize(runner.cols, runner.rows);
          t.write(runner.screen);
        }
      }
      let events = store.eventsAfter(w.seq);
      if (events === undefined) {
        // Output this screen has not shown is no longer held. Ask once for the current screen
        // (a fresh snapshot); if even that does not fit, show what is held from here on.
        if (!resynced) {
          resynced = true;
          store.resync();
          return;
        }
        t.reset();
        events = store.eventsAfter(store.getSnapshot().firstSeq - 1) ?? [];
      }
      for (const e of events) {
        if (e.type === 'terminal.output') t.write(e.data.data);
        else if (e.type === 'terminal.resized') t.resize(e.data.cols, e.data.rows);
        w.seq = e.seq;
      }
      // Saves the screen's text now and then, for the offline view.
      if (events.length > 0 && saveTimer === undefined) {
        saveTimer = setTimeout(() => {
          saveTimer = undefined;
          onSaveRef.current(screenText(t));
        }, SAVE_EVERY_MS);
      }
    };
    write();
    const off = store.subscribe(write);
    return () => {
      off();
      clearTimeout(saveTimer);
      client.unsubscribe(sessionId, { readOnly: true });
    };
  }, [term, client, sessionId, savedText]);

  // Sends this window's fitted size; the server applies it while this window is the latest writer.
  useEffect(() => {
    const host = hostRef.current;
    if (!term || !host || !live || readOnly) return undefined;
    let sent = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const send = (): void => {
      const size = term.fit.proposeDimensions();
      if (!size || !Number.isFinite(size.cols) || !Number.isFinite(size.rows)) return;
      const cols = Math.max(20, Math.min(1000, size.cols));
      const rows = Math.max(5, Math.min(500, size.rows));
      const key = `${cols}x${rows}`;
      if (key === sent) return;
      sent = key;
      client.resize(sessionId, cols, rows).catch(() => {
        sent = '';
      });
    };
    const observer = new ResizeObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(send, 150);
    });
    observer.observe(host);
    send();
    return () => {
      clearTimeout(timer);
      observer.disconnect();
    };
  }, [term, live, readOnly, client, sessionId]);

  return (
    <div
      className="terminal-host"
      ref={hostRef}
      role="region"
      aria-label={readOnly ? 'Terminal (read-only)' : 'Terminal'}
      data-testid="terminal"
      onClick={() => term?.term.focus()}
    />
  );
}

/** The visible screen and recent scrollback as text, for the saved offline view. */
function screenText(term: Terminal): string {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  const start = Math.max(0, buffer.length - 300);
  for (let i = start; i < buffer.length; i++)
    lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}
