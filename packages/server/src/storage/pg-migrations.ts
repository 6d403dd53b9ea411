/**
 * The PostgreSQL store's schema migrations, applied in order inside one transaction; the index
 * + 1 is the schema version recorded in the schema's `meta` table. They are the PostgreSQL
 * store's own (its version 1 is the SQLite store's version 8 at once, see migrations.ts), so the
 * two can evolve apart: a column added to one is added to the other in a migration of its own.
 *
 * Every statement runs with `search_path` set to baton's schema, so no name is qualified.
 */
import {
  ATTACHMENT_USES,
  CREATE_ATTACHMENTS,
  CREATE_DOCUMENTS,
  CREATE_SEALED_KEYS,
  HOST_OUT_ON_SESSIONS,
} from './portable-tables.js';

export const PG_MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE devices (
       id TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       token_hash TEXT NOT NULL UNIQUE,
       created_at BIGINT NOT NULL,
       last_seen_at BIGINT NOT NULL,
       revoked_at BIGINT,
       role TEXT NOT NULL,
       session_scope TEXT,
       modes TEXT NOT NULL DEFAULT ''
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
       first_seq BIGINT NOT NULL,
       epoch TEXT NOT NULL,
       control TEXT
     )`,
    `CREATE TABLE events (
       session_id TEXT NOT NULL,
       seq BIGINT NOT NULL,
       ts BIGINT NOT NULL,
       type TEXT NOT NULL,
       data TEXT NOT NULL,
       PRIMARY KEY (session_id, seq)
     )`,
    // Apart from events so that compaction never forgets an input id (see migrations.ts).
    `CREATE TABLE inputs (
       session_id TEXT NOT NULL,
       device_id TEXT NOT NULL,
       input_id TEXT NOT NULL,
       seq BIGINT NOT NULL,
       payload_digest TEXT,
       PRIMARY KEY (session_id, device_id, input_id)
     )`,
    `CREATE TABLE snapshots (
       session_id TEXT PRIMARY KEY,
       seq BIGINT NOT NULL,
       state TEXT NOT NULL,
       created_at BIGINT NOT NULL
     )`,
    `CREATE TABLE device_session_roles (
       device_id TEXT NOT NULL,
       session_id TEXT NOT NULL,
       role TEXT NOT NULL,
       PRIMARY KEY (device_id, session_id)
     )`,
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
    `CREATE TABLE push_subscriptions (
       id TEXT PRIMARY KEY,
       device_id TEXT NOT NULL,
       endpoint TEXT NOT NULL UNIQUE,
       p256dh TEXT NOT NULL,
       auth TEXT NOT NULL,
       prefs TEXT NOT NULL,
       created_at BIGINT NOT NULL
     )`,
    // Ids from an identity column: ascending in insert order, never reused after retention.
    `CREATE TABLE audit (
       id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    `CREATE INDEX audit_by_time ON audit (at)`,
    // Which node owns each live session, under which epoch (session-lease.ts). Rows are kept
    // when a lease ends, so that the next holder's epoch is higher than every earlier one.
    `CREATE TABLE session_leases (
       session_id TEXT PRIMARY KEY,
       owner TEXT NOT NULL,
       epoch BIGINT NOT NULL,
       expires_at TIMESTAMPTZ NOT NULL
     )`,
  ],
  // 2: attachments (portable-tables.ts).
  [CREATE_ATTACHMENTS],
  // 3: shared documents (portable-tables.ts).
  [CREATE_DOCUMENTS],
  // 4: many nodes: requests a node forwards to a session's owner (cluster/command-forwarder.ts),
  // with the owner's answer. Rows are deleted by the node that asked once it read the answer.
  [
    `CREATE TABLE forwarded_commands (
       id BIGSERIAL PRIMARY KEY,
       session_id TEXT NOT NULL,
       node TEXT NOT NULL,
       body TEXT NOT NULL,
       result TEXT,
       created_at BIGINT NOT NULL
     )`,
    `CREATE INDEX forwarded_commands_open ON forwarded_commands (session_id, id) WHERE result IS NULL`,
  ],
  // 5: a relay's record of each session's host output (portable-tables.ts).
  HOST_OUT_ON_SESSIONS,
  // 6: many nodes: who is attached through each node, per session (cluster/remote-presence.ts).
  // A node renews its rows as it renews its leases; rows it stopped renewing are not shown.
  [
    `CREATE TABLE cluster_presence (
       node TEXT NOT NULL,
       session_id TEXT NOT NULL,
       body TEXT NOT NULL,
       renewed_at TIMESTAMPTZ NOT NULL,
       PRIMARY KEY (node, session_id)
     )`,
  ],
  // 7: a relay's sealed-session keys, wrapped per device (portable-tables.ts).
  [CREATE_SEALED_KEYS],
  // 8: which sessions use each attachment, so that deleting the last one deletes it
  // (portable-tables.ts).
  ATTACHMENT_USES,
];
