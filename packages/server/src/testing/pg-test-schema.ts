import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL the tests use: BATON_TEST_PG, else the one every development and CI machine
 * runs at 127.0.0.1:5432 (user postgres, database test, trust authentication).
 */
export const TEST_PG_URL =
  process.env['BATON_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A schema of its own for one test (or one run of a test file), dropped with everything in it by
 * `drop()`. `url` is a `--store` URL naming it. An unreachable PostgreSQL fails loudly here:
 * these tests never skip, since a skipped store test proves nothing.
 */
export async function tempPgSchema(
  prefix = 'baton_test',
  base = TEST_PG_URL,
): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(base, `CREATE SCHEMA ${schema}`);
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    schema,
    drop: () => admin(base, `DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

async function admin(base: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `this needs a PostgreSQL at ${base} (BATON_TEST_PG for the tests, BATON_BENCH_PG for the benchmark): ${(err as Error).message}`,
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
