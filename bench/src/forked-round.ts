import { fork } from 'node:child_process';
import { percentile } from './stats.js';

/**
 * One round of an A/B tool in a fresh process: `script` again with `args` (and `execArgv`), and
 * the one message it sends back (`process.send`). Rejects when it exits without one or fails.
 */
export function forkedRound<T>(
  script: string,
  args: readonly string[],
  label: string,
  execArgv: readonly string[] = [],
): Promise<T> {
  return new Promise((done, fail) => {
    // Without `execArgv` the child inherits the parent's flags, as `fork` does.
    const child = fork(script, [...args], execArgv.length > 0 ? { execArgv: [...execArgv] } : {});
    let result: T | undefined;
    child.on('message', (m) => (result = m as T));
    child.on('error', fail);
    child.on('exit', (code) =>
      result !== undefined && code === 0
        ? done(result)
        : fail(new Error(`the round for ${label} exited with ${code}`)),
    );
  });
}

/** The nearest-rank median the report uses for rounds (the middle round of an odd count). */
export const medianOf = (xs: readonly number[]): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
