import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { HostStartError } from './host-start-error.js';

/**
 * A JSON file only this host's user may read (keys, pairing secrets): undefined when there is
 * none; refused when others may read or write it, or when it is not JSON, with what to do.
 */
export function readPrivateJson<T>(path: string): T | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HostStartError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const mode = fstatSync(fd).mode & 0o777;
    if ((mode & 0o077) !== 0)
      throw new HostStartError(
        `${path} holds this host's secrets but others may read it (mode ${mode.toString(8).padStart(3, '0')}): run chmod 600 ${path} and start again`,
      );
    try {
      return JSON.parse(readFileSync(fd, 'utf8')) as T;
    } catch {
      throw new HostStartError(`${path} is not valid JSON: restore it from a backup`);
    }
  } finally {
    closeSync(fd);
  }
}
