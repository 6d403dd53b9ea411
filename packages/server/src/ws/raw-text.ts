import type { RawData } from 'ws';

/**
 * The text of a WebSocket message as `ws` hands it over: a Buffer by default (decoded where it
 * lies, without a copy), fragments or an ArrayBuffer under other `binaryType` settings.
 */
export function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
