import type { Duplex } from 'node:stream';

/**
 * Answers on a bare socket (no `ServerResponse`: a request Node's parser refused, an upgrade, a
 * CONNECT) with a JSON error as every other refusal has, and closes it. `extraHeaders` are whole
 * header lines, each ending in CRLF.
 */
export function endWithJsonError(
  socket: Duplex,
  status: number,
  statusText: string,
  error: { code: string; message: string },
  extraHeaders = '',
): void {
  const body = JSON.stringify({ error });
  try {
    socket.end(
      `HTTP/1.1 ${status} ${statusText}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `${extraHeaders}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  } catch {
    socket.destroy();
  }
}
