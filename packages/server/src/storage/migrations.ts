import {
  ATTACHMENT_USES,
  CREATE_ATTACHMENTS,
  CREATE_DOCUMENTS,
  CREATE_SEALED_KEYS,
  HOST_OUT_ON_SESSIONS,
} from './portable-tables.js';

/**
 * SQLite's schema migrations, applied in order; the index + 1 is the schema version recorded in
 * `meta`. Written in SQL that PostgreSQL accepts too (BIGINT, TEXT, composite primary keys).
 * PostgreSQL has its own list (pg-migrations.ts), which starts from the schema these reach; the
 * tables added since are shared (portable-tables.ts).
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
  // 3: input ids are deduplicated per device (two scripts may both number their inputs 1, 2, 3),
  // and a digest of the payload tells a retry from a different input reusing an id. Rows stored
  // before keep device '' and no digest: a repeat of one of them, from any device, stays a
  // duplicate, as it was when it was stored.
  [
    `CREATE TABLE inputs_by_device (
       session_id TEXT NOT NULL,
       device_id TEXT NOT NULL,
       input_id TEXT NOT NULL,
       seq BIGINT NOT NULL,
       payload_digest TEXT,
       PRIMARY KEY (session_id, device_id, input_id)
     )`,
    `INSERT INTO inputs_by_device (session_id, device_id, input_id, seq, payload_digest)
       SELECT session_id, '', input_id, seq, NULL FROM inputs`,
    `DROP TABLE inputs`,
    `ALTER TABLE inputs_by_device RENAME TO inputs`,
  ],
  // 4: roles (docs/protocol.md, "Roles"). Devices registered before roles existed were all
  // registered with the owner token on the host, so they keep full power as owners. A device may
  // be limited to one session (paired or handed off for it), and narrowed per session.
  [
    `ALTER TABLE devices ADD COLUMN role TEXT NOT NULL DEFAULT 'owner'`,
    `ALTER TABLE devices ADD COLUMN session_scope TEXT`,
    `CREATE TABLE device_session_roles (
       device_id TEXT NOT NULL,
       session_id TEXT NOT NULL,
       role TEXT NOT NULL,
       PRIMARY KEY (device_id, session_id)
     )`,
  ],
  // 5: single-use grants: pairing codes and handoff tokens. Only a hash of the code is kept.
  [
    `CREATE TABLE grants (
       code_hash TEXT PRIMARY KEY,
       kind TEXT NOT NULL,
       role TEXT NOT NULL,
       session_scope TEXT,
       mode TEXT,
       created_by TEXT NOT NULL,
       created_at BIGINT NOT NULL,
       expires_at BIGINT NOT NULL,
       used_at BIGINT,
       used_by TEXT
     )`,
  ],
  // 6: who may steer each session (docs/protocol.md, "Handoff and control"): the session's
  // control state as JSON (`SessionControl`), NULL while it is `open`. Kept on the session row,
  // written in the same commit as the `control.changed` event that changes it, so it survives a
  // restart and compaction of that event.
  [`ALTER TABLE sessions ADD COLUMN control TEXT`],
  // 7: Web Push subscriptions, one row per browser
  // push endpoint, owned by one device. `prefs` is JSON: which notifications it wants.
  [
    `CREATE TABLE push_subscriptions (
       id TEXT PRIMARY KEY,
       device_id TEXT NOT NULL,
       endpoint TEXT NOT NULL UNIQUE,
       p256dh TEXT NOT NULL,
       auth TEXT NOT NULL,
       prefs TEXT NOT NULL,
       created_at BIGINT NOT NULL
     )`,
  ],
  // 8: the audit log (docs/operations.md, "Audit log"): append-only, one row per control action
  // (a burst of keystrokes is one row). `id INTEGER PRIMARY KEY` is SQLite's rowid, ascending; a
  // PostgreSQL store allocates the id from a sequence in its insert. Rows are never updated; only
  // retention deletes the oldest. Devices remember the connection modes they were seen in.
  [
    `CREATE TABLE audit (
       id INTEGER PRIMARY KEY,
       at BIGINT NOT NULL,
       device_id TEXT NOT NULL,
       device_name TEXT NOT NULL,
       mode TEXT NOT NULL,
       role TEXT NOT NULL,
       action TEXT NOT NULL,
       session_id TEXT,
       detail TEXT
     )`,
    `CREATE INDEX audit_by_session ON audit (session_id, id)`,
    `CREATE INDEX audit_by_device ON audit (device_id, id)`,
    `ALTER TABLE devices ADD COLUMN modes TEXT NOT NULL DEFAULT ''`,
  ],
  // 9: attachments (portable-tables.ts).
  [CREATE_ATTACHMENTS],
  // 10: shared documents (portable-tables.ts).
  [CREATE_DOCUMENTS],
  // 11: a relay's record of each session's host output (portable-tables.ts).
  HOST_OUT_ON_SESSIONS,
  // 12: a relay's sealed-session keys, wrapped per device (portable-tables.ts).
  [CREATE_SEALED_KEYS],
  // 13: every input's key is written with its event in the same commit, so the table is one
  // b-tree keyed by (session, device, input id) (WITHOUT ROWID): one page written per input
  // instead of a row page and an index page. From this version a commit of plain events leaves
  // the session's row alone and readers take the head from the newest event when it is ahead
  // (sqlite-store.ts, STORED_HEAD): a version before 13, reading only the row, would
  // number events from a stale head, so it refuses this file as written by a newer baton.
  [
    `CREATE TABLE inputs_keyed (
       session_id TEXT NOT NULL,
       device_id TEXT NOT NULL,
       input_id TEXT NOT NULL,
       seq BIGINT NOT NULL,
       payload_digest TEXT,
       PRIMARY KEY (session_id, device_id, input_id)
     ) WITHOUT ROWID`,
    `INSERT INTO inputs_keyed (session_id, device_id, input_id, seq, payload_digest)
       SELECT session_id, device_id, input_id, seq, payload_digest FROM inputs`,
    `DROP TABLE inputs`,
    `ALTER TABLE inputs_keyed RENAME TO inputs`,
  ],
  // 14: the same keys ordered (session, input id, device). Clients number their inputs with
  // time-ordered ids (UUID version 7): in this order the inputs of every device of a session
  // arrive at the end of one range, so a commit writes a page or two of this b-tree, where the
  // device first spread them over one range per device (and random ids over every page). A
  // lookup names all three columns, so it is one search in either order.
  [
    `CREATE TABLE inputs_by_time (
       session_id TEXT NOT NULL,
       device_id TEXT NOT NULL,
       input_id TEXT NOT NULL,
       seq BIGINT NOT NULL,
       payload_digest TEXT,
       PRIMARY KEY (session_id, input_id, device_id)
     ) WITHOUT ROWID`,
    `INSERT INTO inputs_by_time (session_id, device_id, input_id, seq, payload_digest)
       SELECT session_id, device_id, input_id, seq, payload_digest FROM inputs`,
    `DROP TABLE inputs`,
    `ALTER TABLE inputs_by_time RENAME TO inputs`,
  ],
  // 15: which sessions use each attachment, so that deleting the last one deletes it
  // (portable-tables.ts).
  ATTACHMENT_USES,
];
