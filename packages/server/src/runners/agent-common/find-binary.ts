import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Resolves an agent binary the way a shell would: a path containing a slash is used as given
 * (relative to `cwd`), a bare name is looked up on `PATH`. Returns undefined when nothing
 * executable is found.
 */
export function findBinary(
  name: string,
  pathVar: string | undefined,
  cwd: string = process.cwd(),
): string | undefined {
  if (name.includes('/')) {
    const full = isAbsolute(name) ? name : resolve(cwd, name);
    return isExecutableFile(full) ? full : undefined;
  }
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const full = join(dir, name);
    if (isExecutableFile(full)) return full;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
