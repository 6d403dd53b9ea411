import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { SessionInfo } from '@baton/protocol';
import { spawnServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { BASH_TERMINAL, tempDataDir, waitUntil } from '../../testing/test-server.js';
import { ScreenViewer } from '../../testing/screen-viewer.js';
import { settled } from './settle.test-helper.js';

const SHELL = { ...BASH_TERMINAL, cols: 100, rows: 30 };

/** The seq of the session's stored screen checkpoint, read from the data directory's database. */
function checkpointSeq(dataDir: string, sessionId: string): number | undefined {
  const db = new Database(join(dataDir, 'baton.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT seq FROM snapshots WHERE session_id = ?').get(sessionId) as
      { seq: number } | undefined;
    return row?.seq;
  } finally {
    db.close();
  }
}

describe('a terminal across a server kill -9 and restart', () => {
  const data = tempDataDir('baton-restore-');
  const work = tempDataDir('baton-restore-cwd-');
  const viewers: ScreenViewer[] = [];
  let proc: ServerProcess | undefined;
  after(async () => {
    for (const v of viewers) v.close();
    await proc?.stop();
    data.remove();
    work.remove();
  });

  it('shows the last screen, says the shell ended, and restarts it in the same directory', async (t) => {
    proc = await spawnServerProcess(data.dir);
    const first = await ScreenViewer.connect(proc.wsUrl, proc.ownerToken);
    viewers.push(first);
    const sessionId = await first.createTerminal({ ...SHELL, cwd: work.dir });
    await first.subscribe(sessionId, SHELL.cols, SHELL.rows);

    first.type(
      'for i in $(seq 1 2500); do printf "\\033[3$((i % 8));1mline %d\\033[0m \\033[4%dmbg\\033[0m\\n" $i $((i % 8)); done\n',
    );
    await waitUntil(async () => (await first.serialized()).includes('line 2500'), '2,500 lines');
    // Resizes are small events: enough of them that the server stores a screen checkpoint.
    for (let i = 0; i < 550; i++) {
      first.send({ type: 'resize', sessionId, cols: 90, rows: 28 });
      first.send({ type: 'resize', sessionId, cols: SHELL.cols, rows: SHELL.rows });
    }
    // Activity after the checkpoint: the restarted server replays this tail on top of it.
    first.type('printf "\\033[1;35mafter the checkpoint\\033[0m\\n"; echo TAIL-$((6*7))\n');
    await waitUntil(async () => (await first.serialized()).includes('TAIL-42'), 'the tail');
    const head = await settled([first]);
    const expected = await first.serialized();
    // The server stores the checkpoint asynchronously (the screen is serialized first).
    const checkpoint = await waitUntil(() => {
      const seq = checkpointSeq(data.dir, sessionId);
      return seq !== undefined && seq > 1000 && seq;
    }, 'a screen checkpoint to be stored');

    await proc.kill9();
    assert.equal(checkpointSeq(data.dir, sessionId), checkpoint, 'the checkpoint survives kill -9');
    assert.ok(checkpoint < head, 'events after the checkpoint were logged too');

    const restartStarted = performance.now();
    proc = await spawnServerProcess(data.dir, proc.port);
    const serverUp = performance.now() - restartStarted;
    const rejoined = await ScreenViewer.connect(proc.wsUrl, proc.ownerToken);
    viewers.push(rejoined);
    const joinStarted = performance.now();
    const { session, headSeq } = await rejoined.subscribe(sessionId, SHELL.cols, SHELL.rows);
    await waitUntil(() => rejoined.lastSeq >= headSeq, 'the restored screen');
    const restored = await rejoined.serialized();
    const joined = performance.now() - joinStarted;
    t.diagnostic(
      `restart: server up in ${serverUp.toFixed(0)} ms, screen restored in ${joined.toFixed(0)} ms ` +
        `(${rejoined.snapshotReasons.join(',') || 'replay'}, checkpoint at #${checkpoint}, head #${headSeq}, ` +
        `${restored.length} chars)`,
    );
    assert.equal(restored, expected, 'the same screen as before the kill');
    assert.deepEqual(rejoined.violations, []);
    assert.equal(session.status, 'exited');
    assert.match(session.reason ?? '', /server restarted/);

    const reply = (await rejoined.request({ type: 'session.restart', sessionId })) as {
      session: SessionInfo;
    };
    assert.notEqual(reply.session.status, 'exited');
    rejoined.type('pwd\n');
    // The shell may print the path through a symlinked temp directory; either spelling is it.
    const dirs = [work.dir, realpathSync(work.dir)];
    await waitUntil(async () => {
      const screen = await rejoined.serialized();
      return dirs.some((d) => screen.includes(`${d}\r\n`));
    }, 'pwd in the restarted shell to print the session directory');
    // The old screen stays above the new shell's output.
    assert.match(await rejoined.serialized(), /TAIL-42/);
  });
});
