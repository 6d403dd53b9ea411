import type { SessionRecord } from '../storage/store.js';

/** A stored terminal session with an empty log, for tests and measurements that use a store directly. */
export function terminalSessionRecord(id: string): SessionRecord {
  return {
    id,
    name: id,
    kind: 'terminal',
    status: 'running',
    config: '{}',
    createdAt: 1,
    lastActivityAt: 1,
    headSeq: 0,
    firstSeq: 1,
    epoch: 'e_test',
  };
}
