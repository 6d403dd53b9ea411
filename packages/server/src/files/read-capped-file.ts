import { closeSync, openSync, readSync } from 'node:fs';

/** A file named on a command line or in a config turned out larger than its reader takes. */
export class FileTooLargeError extends Error {
  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    super(`${path} is larger than ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
  }
}

/**
 * Reads a whole file, but never more than `maxBytes + 1` bytes of it: a path that names
 * something endless (`/dev/zero`, `/dev/urandom`, a huge file given by mistake) fails with
 * FileTooLargeError at once instead of filling memory until the process dies. Errors of the
 * file system (ENOENT, EISDIR, EACCES) are thrown as `readFileSync` throws them.
 */
export function readCappedFile(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const room = maxBytes + 1 - total;
      const chunk = Buffer.allocUnsafe(Math.min(room, 1024 * 1024));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new FileTooLargeError(path, maxBytes);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
