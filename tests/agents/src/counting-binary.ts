import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An agent binary that records every start, for counting the processes baton started. */
export interface CountingBinary {
  /** The script to give as the session's `binary`. */
  path: string;
  /** How many times it was started so far. */
  starts(): number;
}

/**
 * A script in `dir` that appends a line to a file each time it starts, then becomes `binary`
 * with the same arguments (exec: same pid, same process family). Counting starts this way holds
 * for every CLI version, where a probe the CLI happens to send at start does not (Claude Code
 * stopped sending `HEAD /` after 2.1.197).
 */
export function countingBinary(binary: string, dir: string): CountingBinary {
  const path = join(dir, 'counted-agent');
  const log = join(dir, 'agent-starts');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(path, `#!/bin/sh\necho started >> ${quote(log)}\nexec ${quote(binary)} "$@"\n`);
  chmodSync(path, 0o755);
  return {
    path,
    starts: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').length - 1 : 0),
  };
}
