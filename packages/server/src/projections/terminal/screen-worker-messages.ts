import type { ScreenState } from './headless-screen.js';

/** Main thread → screen worker. Each message names the screen it is for. */
export type ScreenRequest =
  | { op: 'open'; id: number; cols: number; rows: number; scrollback: number }
  | { op: 'write'; id: number; data: string }
  | { op: 'resize'; id: number; cols: number; rows: number }
  | { op: 'restore'; id: number; state: ScreenState }
  | { op: 'snapshot'; id: number; reqId: number }
  | { op: 'close'; id: number };

/** Screen worker → main thread: the answer to a `snapshot`, or a failure of any request. */
export type ScreenReply =
  | { reqId: number; ok: true; state: ScreenState }
  | { reqId: number; ok: false; error: string }
  | { reqId: null; ok: false; error: string };
