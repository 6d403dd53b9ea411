import { StoreOpenError } from './store-open-error.js';

/** The PostgreSQL schema baton's tables live in when the URL names none. */
export const DEFAULT_PG_SCHEMA = 'baton';

/** Where a PgStore connects: the URL as node-postgres takes it, and the schema it uses. */
export interface PgTarget {
  /** The connection string without baton's own `schema` parameter. */
  connectionString: string;
  /** The schema holding baton's tables (created when missing). */
  schema: string;
  /** The URL as it may be shown: the password replaced by `***`. */
  shown: string;
}

/** A schema name used unquoted in SQL: lower case, digits and `_`, not starting with a digit. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Whether `--store` names PostgreSQL (`postgres://…` or `postgresql://…`) rather than the
 * embedded SQLite default.
 */
export function isPgUrl(store: string): boolean {
  return /^postgres(ql)?:\/\//i.test(store);
}

/**
 * Reads `postgres://user:password@host:port/database?schema=NAME`. Every other query parameter
 * (`sslmode`, `application_name`, …) is node-postgres's and passes through. A URL that is not
 * one is refused here, before anything connects.
 */
export function parsePgTarget(store: string): PgTarget {
  let url: URL;
  try {
    url = new URL(store);
  } catch {
    throw new StoreOpenError(
      `--store must be a postgres://user@host:port/database URL, not '${redactText(store)}'`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new StoreOpenError(
      `--store must be a postgres:// URL (or left out for the embedded SQLite store), not '${redact(url)}'`,
    );
  }
  if (url.hostname === '' || url.pathname.length <= 1) {
    throw new StoreOpenError(
      `--store must name a host and a database (postgres://user@host:5432/baton), not '${redact(url)}'`,
    );
  }
  const schema = url.searchParams.get('schema') ?? DEFAULT_PG_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreOpenError(
      `the schema '${schema}' in --store must be lower-case letters, digits and _ (for example ?schema=baton)`,
    );
  }
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema, shown: redact(url) };
}

function redact(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password !== '') copy.password = '***';
  return copy.toString();
}

/** For text that is not even a URL: anything between `:` and `@` could be a password. */
function redactText(text: string): string {
  return text.replace(/:[^:@/]*@/, ':***@');
}
