import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DeviceRegistry } from '../auth/device-registry.js';
import { createLogger } from '../logger.js';
import { SqliteStore } from '../storage/sqlite-store.js';
import type { NewAuditRecord } from '../storage/store.js';
import { tempDataDir } from '../testing/test-server.js';
import { AuditLog } from './audit-log.js';

test('rows queued while the store cannot write are written, in order, once it can', async () => {
  const dir = tempDataDir('baton-audit-');
  const store = new SqliteStore(join(dir.dir, 'baton.db'));
  try {
    const { registry } = await DeviceRegistry.open(store, dir.dir, 'bt_fixed_owner_token_for_test');
    // The real store, made to fail its audit writes for a while (a full disk, say).
    let failing = true;
    const append = store.appendAudit.bind(store);
    store.appendAudit = (rows: readonly NewAuditRecord[]) =>
      failing ? Promise.reject(new Error('SQLITE_FULL: database or disk is full')) : append(rows);
    const audit = new AuditLog({
      store,
      devices: registry,
      log: createLogger('silent'),
      modeOf: () => 'tab',
    });
    audit.record({ action: 'session.stop', deviceId: 'owner', sessionId: 's1' });
    await audit.flush();
    audit.record({
      action: 'session.restart',
      deviceId: 'owner',
      sessionId: 's1',
      connectionId: 'c',
    });
    await audit.flush();
    assert.deepEqual(await audit.read({ after: 0, limit: 10 }), [], 'nothing stored yet');
    failing = false;
    await audit.flush();
    const rows = await audit.read({ after: 0, limit: 10 });
    assert.deepEqual(
      rows.map((r) => [r.action, r.mode, r.role, r.deviceName]),
      [
        ['session.stop', 'http', 'owner', 'owner'],
        ['session.restart', 'tab', 'owner', 'owner'],
      ],
    );
    await audit.close();
  } finally {
    await store.close();
    dir.remove();
  }
});
