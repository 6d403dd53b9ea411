import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_DIST } from './paths.js';

/**
 * The built app's scripts (`/assets/…js` paths) whose code contains `marker`: a string only one
 * library or view has, so a test can tell which chunk carries it whatever the bundler named it.
 */
export function chunksContaining(marker: string): string[] {
  const dir = join(WEB_DIST, 'assets');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.js'))
    .filter((name) => readFileSync(join(dir, name), 'utf8').includes(marker))
    .map((name) => `/assets/${name}`);
}

/** A string of xterm.js's own code (the class of its hidden input). */
export const XTERM_MARKER = 'xterm-helper-textarea';
/** A string of the chat view's own code (a permission prompt's answer). */
export const CHAT_MARKER = 'Allow for this session';

/**
 * Whether the build writes compressed copies of the file at `path` (see
 * apps/web/build/precompress.ts): files under 1 KB are sent as they are.
 */
export function compressedByBuild(path: string): boolean {
  const file = join(WEB_DIST, path === '/' ? 'index.html' : path);
  return existsSync(`${file}.br`) || statSync(file).size >= 1024;
}
