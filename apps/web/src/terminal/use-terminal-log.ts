import { useEffect, useRef } from 'react';
import type { Terminal } from '@xterm/xterm';
import { stripTerminalQueries, type SessionBase } from '@baton/client';
import { useBatonClient } from '@baton/react';

const SAVE_EVERY_MS = 2000;

/**
 * Writes the session's log into `term`: the server's snapshot (serialized screen, written into a
 * fresh terminal of the session's size) and then every `terminal.output` event in log order,
 * each written once as it arrives, so every window shows the same screen. The store is read
 * directly on every change rather than through props, so the work per event is O(1): nothing
 * walks the events already written.
 *
 * Output replayed from history (at or below the head the subscription was answered with) has its
 * terminal queries removed: they were asked of the windows of that time, and answering them
 * again would type the answer into whatever runs now. Live output keeps them (the asking
 * program is running, and this window may be its responder).
 *
 * While there is no live view, and while the live one is still being replayed, `savedText` (the
 * saved offline screen) is shown instead; the screen's text is handed to `onSave` now and then
 * for that view.
 */
export function useTerminalLog(
  term: Terminal | undefined,
  sessionId: string,
  savedText: string | undefined,
  onSave: (text: string) => void,
): void {
  const client = useBatonClient();
  const onSaveRef = useRef(onSave);
  onSaveRef.current = onSave;
  const written = useRef<{ base: SessionBase | undefined | null; seq: number; saved: boolean }>({
    base: null,
    seq: 0,
    saved: false,
  });

  useEffect(() => {
    written.current = { base: null, seq: 0, saved: false };
  }, [term]);

  useEffect(() => {
    if (!term) return undefined;
    const t = term;
    // A read-only hold of its own: the store must exist before this (child) effect's parent
    // subscribes, and read-only holds never change the page's write access.
    const store = client.subscribe(sessionId, { readOnly: true });
    const w = written.current;
    let saveTimer: ReturnType<typeof setTimeout> | undefined;
    let resynced = false;
    const write = (): void => {
      const base = store.base;
      const hasLive = base !== undefined || store.lastSeq > 0;
      // A saved screen stays until the live one is whole: replaced at the first replayed event,
      // the window would show a partial screen (full, then partial, then full) until catch-up ends.
      if (!hasLive || (w.saved && store.catchingUp)) {
        if (savedText !== undefined && !w.saved) {
          resetInOrder(t);
          t.write(savedText.replace(/\n/g, '\r\n'));
          w.saved = true;
        }
        return;
      }
      if (w.base !== base || w.saved) {
        resetInOrder(t);
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
        resetInOrder(t);
        events = store.eventsAfter(store.getSnapshot().firstSeq - 1) ?? [];
      }
      const replayedThrough = store.replayedThrough;
      for (const e of events) {
        if (e.type === 'terminal.output') {
          t.write(e.seq <= replayedThrough ? stripTerminalQueries(e.data.data) : e.data.data);
        } else if (e.type === 'terminal.resized') t.resize(e.data.cols, e.data.rows);
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
}

/**
 * Resets `term` after everything written to it so far. `write` only queues data (xterm parses it
 * later, in chunks) while `reset()` acts at once: a reset between two writes would clear the
 * screen before the first write is drawn, and the first write would then land above the second
 * (a saved screen followed by the live one showed every line twice). The reset sequence (RIS,
 * `ESC c`) goes through the same queue, so it takes effect exactly between the two writes.
 */
function resetInOrder(term: Terminal): void {
  term.write('\x1bc');
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
