import { StoreOpenError } from './store-open-error.js';

/**
 * Why PostgreSQL could not be opened, as one line that says what to do. `shown` is the URL
 * without its password; the driver's own message is kept at the end for the details.
 */
export function describePgOpenError(err: unknown, shown: string): StoreOpenError {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const detail = typeof e?.message === 'string' ? e.message : String(err);
  const say = (what: string) => new StoreOpenError(`${what} (${detail})`, { cause: err });
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(code))
    return say(
      `cannot reach PostgreSQL at ${shown}: start it, or fix the host and port in --store`,
    );
  if (/timeout/i.test(detail))
    return say(
      `PostgreSQL at ${shown} did not answer in time: check that it runs and is reachable`,
    );
  if (code === '3D000')
    return say(`the database in ${shown} does not exist: create it (createdb) or fix --store`);
  if (code === '28P01' || code === '28000')
    return say(`PostgreSQL at ${shown} refused the login: check the user and password in --store`);
  if (code === '42501')
    return say(
      `the user in ${shown} may not create baton's schema or tables: grant it CREATE on the database, or create the schema for it`,
    );
  return say(`could not open the PostgreSQL store at ${shown}`);
}
