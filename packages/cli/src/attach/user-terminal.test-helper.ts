import { PassThrough } from 'node:stream';
import headlessModule from '@xterm/headless';
import { ProtocolClient } from '@baton/server/testing';
import type { AttachOutput } from './terminal-attach.js';

// A CommonJS bundle: its named exports are only reachable from the default.
const { Terminal } = headlessModule;

/** The user's terminal, as streams: what attach writes is collected in `text`. */
export function fakeTerminal(cols = 80, rows = 24) {
  const stdin = new PassThrough();
  const stdout = Object.assign(new PassThrough(), { columns: cols, rows }) as PassThrough &
    AttachOutput & { columns: number; rows: number };
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stdin, stdout, text: () => text };
}

/**
 * The user's terminal as a real emulator: what attach writes is drawn, and what the emulator
 * sends by itself (its answers to the program's queries) comes back on attach's input, as a
 * terminal's answers do.
 */
export function emulatedTerminal(cols = 80, rows = 24) {
  const term = fakeTerminal(cols, rows);
  const emulator = new Terminal({ cols, rows, allowProposedApi: true });
  const sent: string[] = [];
  term.stdout.on('data', (chunk: Buffer) => emulator.write(new Uint8Array(chunk)));
  emulator.onData((data) => {
    sent.push(data);
    term.stdin.write(data);
  });
  return { ...term, sent, dispose: () => emulator.dispose() };
}

/** An input event's data as a session's log stores it. */
export interface StoredInput {
  inputId: string;
  payload: { kind: string; data?: string; report?: true; sealed?: unknown };
  /** A sealed terminal input's clear copy of its report flag. */
  report?: true;
}

/** The inputs stored in a session's log, read over a protocol connection of its own. */
export async function storedInputs(
  wsUrl: string,
  token: string,
  sessionId: string,
): Promise<StoredInput[]> {
  const client = await ProtocolClient.connect(wsUrl, token);
  try {
    const { events } = await client.request<{ events: { type: string; data: StoredInput }[] }>({
      type: 'fetch',
      sessionId,
      afterSeq: 0,
      limit: 1000,
    });
    return events.flatMap((e) => (e.type === 'input' ? [e.data] : []));
  } finally {
    await client.close();
  }
}
