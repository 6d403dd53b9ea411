/**
 * Schema migrations, applied in order; the index + 1 is the schema version recorded in `meta`.
 * Written in SQL that PostgreSQL accepts too (BIGINT, TEXT, composite primary keys), so the
 * PostgreSQL store can share them.
 */
export const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE devices (
       id TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       token_hash TEXT NOT NULL UNIQUE,
       created_at BIGINT NOT NULL,
       last_seen_at BIGINT NOT NULL,
       revoked_at BIGINT
     )`,
    `CREATE TABLE sessions (
       id TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       kind TEXT NOT NULL,
       status TEXT NOT NULL,
       reason TEXT,
       exit_code INTEGER,
       config TEXT NOT NULL,
       created_at BIGINT NOT NULL,
       last_activity_at BIGINT NOT NULL,
       head_seq BIGINT NOT NULL,
       first_seq BIGINT NOT NULL
     )`,
    `CREATE TABLE events (
       session_id TEXT NOT NULL,
       seq BIGINT NOT NULL,
       ts BIGINT NOT NULL,
       type TEXT NOT NULL,
       data TEXT NOT NULL,
       PRIMARY KEY (session_id, seq)
     )`,
    // Kept apart from events so that compaction never forgets an input id: a retry arriving
    // long after its event was compacted is still recognised as a duplicate.
    `CREATE TABLE inputs (
       session_id TEXT NOT NULL,
       input_id TEXT NOT NULL,
       seq BIGINT NOT NULL,
       PRIMARY KEY (session_id, input_id)
     )`,
    `CREATE TABLE snapshots (
       session_id TEXT PRIMARY KEY,
       seq BIGINT NOT NULL,
       state TEXT NOT NULL,
       created_at BIGINT NOT NULL
     )`,
  ],
  // 2: each session's log has an epoch (docs/protocol.md, "Epochs"). Existing sessions start
  // with '' and are given a random epoch when the server loads them.
  [`ALTER TABLE sessions ADD COLUMN epoch TEXT NOT NULL DEFAULT ''`],
];
