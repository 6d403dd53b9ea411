import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';

/**
 * Copies the database to `<data dir>/backups/baton-v<old schema>-<UTC time, ms>.db` before a schema
 * migration, with `VACUUM INTO` (a consistent, compact copy, WAL included, made by SQLite
 * itself). Synchronous, like the migration that follows it: the store is not yet in use.
 *
 * A copy that cannot be made (full disk, no permission) stops the start: upgrading without the
 * way back is worse than not starting. Returns the path of the copy.
 */
export function backupBeforeMigration(
  db: Database.Database,
  file: string,
  fromVersion: number,
  now: Date = new Date(),
): string {
  const dir = join(dirname(file), 'backups');
  const stamp = now.toISOString().replace(/[-:]/g, '');
  const target = join(dir, `baton-v${fromVersion}-${stamp}.db`);
  try {
    // The backups hold everything the database does (device token hashes, session logs).
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    db.prepare('VACUUM INTO ?').run(target);
  } catch (err) {
    throw new Error(
      `could not back up the database to ${target} before upgrading it from schema ${fromVersion}: ${(err as Error).message}; free space in ${dir} (or move an old backup away) and start again`,
      { cause: err },
    );
  }
  return target;
}
