import { waitUntil } from '../../testing/test-server.js';

/**
 * Waits until every viewer has applied the same seq and it has not moved for `quietMs`: the
 * session went quiet and everyone has everything. Compares seqs, never wall-clock speed.
 */
export async function settled(
  viewers: readonly { lastSeq: number }[],
  quietMs = 300,
  timeoutMs = 30_000,
): Promise<number> {
  let last = -1;
  let stableSince = Date.now();
  return waitUntil(
    () => {
      const seqs = new Set(viewers.map((v) => v.lastSeq));
      const seq = viewers[0]?.lastSeq ?? 0;
      if (seqs.size !== 1 || seq !== last) {
        last = seqs.size === 1 ? seq : -1;
        stableSince = Date.now();
        return false;
      }
      return Date.now() - stableSince >= quietMs ? seq : false;
    },
    'viewers to settle on one seq',
    timeoutMs,
  );
}
