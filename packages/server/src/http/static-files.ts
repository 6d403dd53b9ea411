import { createReadStream, statSync, type Stats } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import {
  CODING_SUFFIX,
  CONTENT_CODINGS,
  negotiateEncoding,
  type ContentCoding,
} from './accept-encoding.js';
import { notModified } from './conditional-get.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Types whose precompressed copies are served. Images and fonts in formats that are already
 * compressed (png, woff2) are not: compressing them again only costs time. The build
 * (apps/web/build/precompress.ts) writes copies for the same list.
 */
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.css',
  '.json',
  '.map',
  '.webmanifest',
  '.svg',
  '.txt',
]);

/** Hashed build output: a name never changes content, so browsers keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built web app. Unknown paths without an extension fall back to index.html
 * (client-side routes).
 *
 * - Encoding: a text file with a precompressed `file.br` / `file.gz` beside it is answered with
 *   the copy the client's Accept-Encoding prefers (`Vary: Accept-Encoding`), else as it is. The
 *   copies themselves are not addressable.
 * - Caching: `/assets/*` (hashed names) is immutable for a year; everything else (index.html,
 *   sw.js, the manifest, icons) is `no-cache`, so an update reaches every installed app, and
 *   revalidates cheaply: each answer has an ETag (per file and coding) and Last-Modified, and a
 *   matching If-None-Match / If-Modified-Since gets 304 with no body.
 */
export function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  decodedPath: string,
): boolean {
  // `decodedPath` comes from parseRequestTarget: decoded, without `.`/`..` segments or NUL.
  let rel = decodedPath;
  if (rel.endsWith('/')) rel += 'index.html';
  if (rel.endsWith('.br') || rel.endsWith('.gz')) return false;
  const file = normalize(join(root, rel));
  if (!file.startsWith(normalize(root) + sep) && file !== normalize(root)) return false;
  let path = file;
  let stat = statOrUndefined(path);
  if (!stat?.isFile()) {
    if (extname(rel) !== '') return false;
    path = join(root, 'index.html');
    rel = '/index.html';
    stat = statOrUndefined(path);
    if (!stat?.isFile()) return false;
  }
  const ext = extname(path);
  const compressible = COMPRESSIBLE.has(ext);
  const coding = compressible
    ? negotiateEncoding(req.headers['accept-encoding'], precompressed(path, stat))
    : undefined;
  const served = coding ? statOrUndefined(path + CODING_SUFFIX[coding]) : stat;
  if (!served) return false;
  const headers: OutgoingHttpHeaders = {
    'cache-control': rel.startsWith('/assets/') ? IMMUTABLE : 'no-cache',
    etag: etagOf(stat, coding),
    'last-modified': stat.mtime.toUTCString(),
    'x-content-type-options': 'nosniff',
  };
  if (compressible) headers['vary'] = 'Accept-Encoding';
  if (notModified(req.headers, headers.etag as string, stat.mtimeMs)) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  headers['content-type'] = TYPES[ext] ?? 'application/octet-stream';
  headers['content-length'] = served.size;
  if (coding) headers['content-encoding'] = coding;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') res.end();
  else
    // pipeline, not pipe: a read error (file removed or unreadable after the stat) destroys the
    // response instead of surfacing as an unhandled 'error' event that would end the process.
    pipeline(createReadStream(coding ? path + CODING_SUFFIX[coding] : path), res, () => undefined);
  return true;
}

/**
 * The codings with a precompressed copy of `path` on disk. A copy older than the file is stale
 * (the file was replaced without compressing it again) and is not used.
 */
function precompressed(path: string, original: Stats): ContentCoding[] {
  return CONTENT_CODINGS.filter((c) => {
    const copy = statOrUndefined(path + CODING_SUFFIX[c]);
    return copy?.isFile() === true && copy.mtimeMs >= original.mtimeMs;
  });
}

/**
 * A strong validator per representation: the file's size and modification time, and the coding
 * (a gzip body and a br body of one file are different bytes, so they need different tags).
 */
function etagOf(stat: Stats, coding: ContentCoding | undefined): string {
  const base = `${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}`;
  return `"${coding ? `${base}-${coding}` : base}"`;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
