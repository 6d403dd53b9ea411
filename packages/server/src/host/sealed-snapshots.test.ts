import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { LogEvent } from '@baton/protocol';
import { createLogger } from '../logger.js';
import { defaultProjections } from '../projections/registry.js';
import { tempDataDir, waitUntil } from '../testing/test-server.js';
import { HostIdentity } from './host-identity.js';
import { HostSealing } from './host-sealing.js';
import { SealedSnapshots } from './sealed-snapshots.js';

const SESSION = 's_aaaaaaaaaaaaaaaaaaaa';

// One module's unit test, with the host's real sealing and projections: what the relay stores is
// a list here, and what would go up the link is recorded.
/** Snapshots of a terminal session with one output event, whose sealing waits for `sealNow`. */
async function snapshotsOfOneEvent(t: TestContext) {
  const data = tempDataDir('baton-sealed-snapshots-');
  t.after(() => data.remove());
  const sealing = await HostSealing.load(data.dir, await HostIdentity.load(data.dir));
  await sealing.bind('d_host');
  await sealing.ensureSession(SESSION);
  let sealAsked = false;
  let sealNow!: () => void;
  const mayBeSealed = new Promise<void>((resolve) => (sealNow = resolve));
  const sealSnapshot = sealing.sealSnapshot.bind(sealing);
  sealing.sealSnapshot = async (...args) => {
    sealAsked = true;
    await mayBeSealed;
    return sealSnapshot(...args);
  };
  const stored: LogEvent[] = [
    { seq: 1, ts: 0, type: 'terminal.output', data: { data: 'hello\r\n' } },
  ];
  const sent: number[] = [];
  const snapshots = new SealedSnapshots({
    sessionId: SESSION,
    kind: 'terminal',
    size: { cols: 80, rows: 24 },
    projections: defaultProjections(),
    sealing,
    read: (what) =>
      Promise.resolve(
        what.kind === 'events' ? stored.filter((e) => e.seq > what.afterSeq) : undefined,
      ),
    send: (seq) => {
      sent.push(seq);
      return true;
    },
    every: 1000,
    quietMs: 60_000,
    log: createLogger('silent'),
  });
  t.after(() => snapshots.close());
  const sealStarted = () => waitUntil(() => sealAsked, 'the snapshot to be sealed');
  return { snapshots, sent, sealNow, sealStarted };
}

test('a snapshot is sealed and sent with the seq of the last event it includes', async (t) => {
  const s = await snapshotsOfOneEvent(t);
  const made = s.snapshots.request();
  await s.sealStarted();
  s.sealNow();
  await made;
  assert.deepEqual(s.sent, [1]);
});

test('a snapshot still being sealed when its session is forgotten is not sent', async (t) => {
  const s = await snapshotsOfOneEvent(t);
  const made = s.snapshots.request();
  await s.sealStarted();
  s.snapshots.close();
  s.sealNow();
  await made;
  assert.deepEqual(s.sent, [], 'nothing goes up for a session the host forgot');
});
