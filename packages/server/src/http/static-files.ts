import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built web app. Unknown paths fall back to index.html (client-side routes). Hashed
 * assets are cached for a year; the HTML and the service worker are always revalidated so an
 * update reaches every installed app.
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
  const file = normalize(join(root, rel));
  if (!file.startsWith(normalize(root) + sep) && file !== normalize(root)) return false;
  let path = file;
  let stat = statOrUndefined(path);
  if (!stat?.isFile()) {
    if (extname(rel) !== '') return false;
    path = join(root, 'index.html');
    stat = statOrUndefined(path);
    if (!stat?.isFile()) return false;
  }
  const ext = extname(path);
  const immutable = path.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'content-length': stat.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') res.end();
  else
    // pipeline, not pipe: a read error (file removed or unreadable after the stat) destroys the
    // response instead of surfacing as an unhandled 'error' event that would end the process.
    pipeline(createReadStream(path), res, () => undefined);
  return true;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
