import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a GET/HEAD with these headers may be answered 304 Not Modified (RFC 9110 §13.1.2-3).
 * If-None-Match wins over If-Modified-Since; it is compared weakly (`W/"x"` matches `"x"`), as
 * the RFC requires for this header, and `*` matches any current file. A malformed date is
 * ignored (a full answer is never wrong).
 */
export function notModified(
  headers: IncomingHttpHeaders,
  etag: string,
  lastModifiedMs: number,
): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    // Bounded like Accept-Encoding: a huge list is not scanned, the full answer is sent.
    if (ifNoneMatch.length > 4096) return false;
    const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
    const want = opaque(etag);
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === want);
  }
  const ifModifiedSince = headers['if-modified-since'];
  if (ifModifiedSince === undefined || ifModifiedSince.length > 64) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since)) return false;
  // HTTP dates have whole seconds.
  return Math.floor(lastModifiedMs / 1000) * 1000 <= since;
}
