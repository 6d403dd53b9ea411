import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { HostStartError } from './host-start-error.js';

/**
 * The text of a file only this host's user may read (keys, pairing secrets): undefined when
 * there is none; refused, with what to do, when others may read or write it. `holds` says what
 * the file holds and `after` what else to do, for the message.
 */
export function readPrivateText(
  path: string,
  holds = "this host's secrets",
  after = '',
): string | undefined {
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
        `${path} holds ${holds} but others may read it (mode ${mode.toString(8).padStart(3, '0')}): run chmod 600 ${path} and start again${after}`,
      );
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** `readPrivateText` of a JSON file; refused when it is not JSON. */
export function readPrivateJson<T>(path: string): T | undefined {
  const text = readPrivateText(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new HostStartError(`${path} is not valid JSON: restore it from a backup`);
  }
}
