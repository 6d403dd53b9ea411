/**
 * A store that cannot be opened as configured: a bad `--store` URL, a PostgreSQL server that
 * cannot be reached or refuses the login, a schema written by a newer baton. The message says
 * what is wrong and what to do, and never holds a password.
 */
export class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreOpenError';
  }
}
