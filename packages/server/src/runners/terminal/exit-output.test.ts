import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordingContext, waitFor } from './recording-context.test-helper.js';
import { TerminalRunner } from './terminal-runner.js';

describe('the last output of a process that exits', () => {
  it('is all committed even while the event loop is busy', async () => {
    const script = 'i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done';
    for (let run = 0; run < 3; run++) {
      const ctx = new RecordingContext({ shell: '/bin/sh', args: ['-c', script] });
      const runner = new TerminalRunner(ctx);
      // A busy loop between reads, as on a loaded server: the PTY stream lags the process.
      const hog = setInterval(() => {
        const until = Date.now() + 4;
        while (Date.now() < until);
      }, 0);
      try {
        await runner.start();
        await waitFor('exit', () => ctx.statuses.some((s) => s.status === 'exited'), 30_000);
      } finally {
        clearInterval(hog);
      }
      const lines = ctx.output().match(/^line-\d+/gm) ?? [];
      assert.equal(lines.length, 3000, `run ${run}: ${lines.length} of 3000 lines`);
      assert.equal(lines.at(-1), 'line-2999');
    }
  });
});
