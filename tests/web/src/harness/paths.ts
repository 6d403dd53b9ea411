import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests/web/dist/harness → ../../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const CLI_MAIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');
export const WEB_DIST = join(REPO_ROOT, 'apps', 'web', 'dist');
export const EXTENSION_DIST = join(REPO_ROOT, 'apps', 'extension', 'dist');
export const AGENT_BIN_DIR = join(REPO_ROOT, 'tests', 'agents', 'node_modules', '.bin');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'artifacts', 'screenshots');

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `baton-web-${prefix}-`));
}

/** `dir`, created if missing. */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
