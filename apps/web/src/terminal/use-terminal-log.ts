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
 *
 * Returns what says which output event xterm is drawing (`DrawingSeq`), for the answers it sends.
 */
export function useTerminalLog(
  term: Terminal | undefined,
  sessionId: string,
  savedText: string | undefined,
  onSave: (text: string) => void,
): DrawingSeq {
  const client = useBatonClient();
  const drawing = useRef<DrawingSeq>(new DrawingSeq()).current;
  const onSaveRef = useRef(onSave);
  onSaveRef.current = onSave;
  const written = useRef<{ base: SessionBase | undefined | null; seq: number; saved: boolean }>({
    base: null,
    seq: 0,
    saved: false,
  });

  useEffect(() => {
    written.current = { base: null, seq: 0, saved: false };
    drawing.clear();
  }, [term, drawing]);

  useEffect(() => {
    if (!term) return undefined;
    const t = term;
    // A read-only hold of its own: the store must exist before this (child) effect's parent
    // subscribes, and read-only holds never change the page's write access.
    const store = client.subscribe(sessionId, { readOnly: true });
    const w = written.current;
    let saveTimer: ReturnType<typeof setTimeout> | undefined;
    let resynced = false;
    const writeNew = (): void => {
      const base = store.base;
      const hasLive = base !== undefined || store.lastSeq > 0;
      // A saved screen stays until the live one is whole: replaced at the first replayed event,
      // the window would show a partial screen (full, then partial, then full) until catch-up ends.
      if (!hasLive || (w.saved && store.catchingUp)) {
        if (savedText !== undefined && !w.saved) {
          resetInOrder(t);
          drawing.write(t, savedText.replace(/\n/g, '\r\n'), undefined);
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
          drawing.write(t, runner.screen, undefined);
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
          const replayed = e.seq <= replayedThrough;
          drawing.write(t, replayed ? stripTerminalQueries(e.data.data) : e.data.data, e.seq);
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
    // Not re-entered: xterm parses the first write after a key press inside `term.write`, an
    // answer to a query in it is sent from there, and the send notifies this store at once. A
    // nested call would write the events of the outer one again (its position moves only after
    // each write returns): the window drew the question twice and answered it twice. The outer
    // call goes round again instead.
    let writing = false;
    let again = false;
    const write = (): void => {
      if (writing) {
        again = true;
        return;
      }
      writing = true;
      try {
        do {
          again = false;
          writeNew();
        } while (again);
      } finally {
        writing = false;
      }
    };
    write();
    const off = store.subscribe(write);
    return () => {
      off();
      clearTimeout(saveTimer);
      client.unsubscribe(sessionId, { readOnly: true });
    };
  }, [term, client, sessionId, savedText, drawing]);
  return drawing;
}

/**
 * Which output event xterm is drawing. `write` only queues its data, and xterm parses the queue
 * later, in order, calling each write's callback right after that write is parsed; an answer to
 * a query (onData) is sent from inside that parse. So while a write is being parsed it is the
 * oldest one whose callback has not run, and the answer is about that event
 * (`payload.querySeq`, docs/terminals.md "Answers to terminal queries").
 */
export class DrawingSeq {
  /** Each queued write's seq, oldest first; undefined for what is not an output event. */
  private readonly queued: { seq: number | undefined }[] = [];

  write(term: Terminal, data: string, seq: number | undefined): void {
    const entry = { seq };
    this.queued.push(entry);
    // Only its own entry: a terminal replaced meanwhile (`clear`) may still call back.
    term.write(data, () => {
      if (this.queued[0] === entry) this.queued.shift();
    });
  }

  /** The output event being drawn (or next to be), if the oldest queued write is one. */
  get seq(): number | undefined {
    return this.queued[0]?.seq;
  }

  /** A new terminal: nothing of the old one's queue will be parsed. */
  clear(): void {
    this.queued.length = 0;
  }
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
