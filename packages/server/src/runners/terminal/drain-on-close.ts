import { readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { IPty } from 'node-pty';

/** At most this much is read at close (64 KiB reads); a PTY's kernel buffers hold far less. */
const MAX_READS = 256;

/**
 * Makes sure the last output of a process that ended is not lost when node-pty closes its read
 * stream on the PTY master.
 *
 * When the process ends, node-pty's stream can end (and be destroyed) while the kernel still
 * holds output the stream had not read yet: with a busy event loop, a third or more of a 30 KB
 * burst written just before the exit was lost this way. The bytes are still readable from the
 * master at that point, so they are read synchronously just before the stream is destroyed and
 * handed to `onData`, after everything the stream delivered.
 *
 * (A UTF-8 character split exactly at that point would show as a replacement character.)
 *
 * This relies on node-pty's Unix internals (`_socket`, `_fd`; the descriptor is non-blocking, so
 * the reads never wait). Where they are missing (Windows, another version) nothing changes.
 */
export function drainOnClose(pty: IPty, onData: (data: string) => void): void {
  const internals = pty as unknown as {
    _socket?: { destroy(...args: unknown[]): unknown };
    _fd?: unknown;
  };
  const socket = internals._socket;
  const fd = internals._fd;
  if (!socket || typeof socket.destroy !== 'function' || typeof fd !== 'number') return;
  const destroy = socket.destroy.bind(socket);
  let drained = false;
  socket.destroy = (...args: unknown[]) => {
    if (!drained) {
      drained = true;
      const rest = readRest(fd);
      if (rest.length > 0) onData(rest);
    }
    return destroy(...args);
  };
}

/** Reads until the master reports no more data (EAGAIN), the end (EIO) or an error. */
function readRest(fd: number): string {
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(64 * 1024);
  let text = '';
  for (let i = 0; i < MAX_READS; i++) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch {
      break;
    }
    if (n <= 0) break;
    text += decoder.write(buffer.subarray(0, n));
  }
  return text + decoder.end();
}
