import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PgStore } from './pg-store.js';
import { tempPgSchema } from '../testing/pg-test-schema.js';

test('PgStore: nodes (--cluster) share a schema; a single server and nodes never run on one schema together', async () => {
  const schema = await tempPgSchema();
  try {
    const node1 = await PgStore.open(schema.url, { sharedSchema: true });
    const node2 = await PgStore.open(schema.url, { sharedSchema: true });
    await assert.rejects(
      PgStore.open(schema.url),
      /in use by another baton server; stop that server first \(or, if nodes started with --cluster/,
    );
    await node1.close();
    await node2.close();
    const single = await PgStore.open(schema.url);
    await assert.rejects(
      PgStore.open(schema.url, { sharedSchema: true }),
      /not started with --cluster/,
    );
    await single.close();
  } finally {
    await schema.drop();
  }
});
