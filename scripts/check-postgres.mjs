// Checks that the PostgreSQL the store tests use answers (BATON_TEST_PG, default the one every
// development and CI machine runs at 127.0.0.1:5432, user postgres, database test). Fails loudly
// instead of letting those tests be skipped: a store test that did not run proves nothing.
import pg from 'pg';

const url = process.env.BATON_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const shown = url.replace(/:[^:@/]*@/, ':***@');
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
try {
  await client.connect();
  const { rows } = await client.query('SHOW server_version');
  console.log(`PostgreSQL ${rows[0].server_version} answers at ${shown}`);
  await client.end();
} catch (err) {
  console.error(
    `PostgreSQL does not answer at ${shown} (${err.message}): the PostgreSQL store tests need it; ` +
      'start it (CI machines run it at 127.0.0.1:5432, user postgres, database test) or set BATON_TEST_PG',
  );
  process.exit(1);
}
