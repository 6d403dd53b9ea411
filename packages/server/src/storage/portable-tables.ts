/**
 * Tables whose statements are the same in SQLite and PostgreSQL, added by both migration lists
 * (migrations.ts, pg-migrations.ts) at their own numbers. BYTEA is PostgreSQL's name for bytes;
 * SQLite's affinity for it is NUMERIC, which stores a BLOB as it is.
 */

/**
 * Attachments (docs/protocol.md, "Attachments"): images and files sent with chat messages, stored
 * once under the SHA-256 of their bytes. Rows are never updated; an attachment is kept while a
 * session uses it (ATTACHMENT_USES).
 */
export const CREATE_ATTACHMENTS = `CREATE TABLE attachments (
       id TEXT PRIMARY KEY,
       type TEXT NOT NULL,
       size BIGINT NOT NULL,
       created_at BIGINT NOT NULL,
       data BYTEA NOT NULL
     )`;

/**
 * Which sessions use each attachment: the one it was uploaded to, and every session a message
 * named it in. Deleting a session deletes its uses and every attachment left with none. The
 * foreign key is what makes that safe with many writers (PostgreSQL): a use cannot be added to an
 * attachment being deleted, and the deleting transaction locks the rows it may delete first
 * (pg-store.ts, deleteSession). Attachments stored before uses were recorded get one use by the
 * session `''`, which no session has: they are kept for good, as they were.
 */
export const ATTACHMENT_USES = [
  `CREATE TABLE attachment_uses (
       attachment_id TEXT NOT NULL REFERENCES attachments (id),
       session_id TEXT NOT NULL,
       PRIMARY KEY (attachment_id, session_id)
     )`,
  `CREATE INDEX attachment_uses_by_session ON attachment_uses (session_id)`,
  `INSERT INTO attachment_uses (attachment_id, session_id) SELECT id, '' FROM attachments`,
];

/** The session of the uses given to attachments stored before uses were recorded. */
export const USED_BEFORE_USES = '';

/**
 * Shared documents (docs/protocol.md, "Shared documents"): each document's current state as JSON
 * (`DocumentState`), written in the same transaction as the `doc.changed` event that made it, so
 * it survives a restart and compaction of the events.
 */
export const CREATE_DOCUMENTS = `CREATE TABLE documents (
       session_id TEXT NOT NULL,
       name TEXT NOT NULL,
       version BIGINT NOT NULL,
       state TEXT NOT NULL,
       PRIMARY KEY (session_id, name)
     )`;

/**
 * A relay's record of the host output it stored (docs/relay.md, "Exactly once"): the highest
 * host `out` number per session, on the session row, written in the same transaction as the
 * events it stands for (so a relay killed at any point has stored an `out` and its number
 * together, or neither) and deleted with the session. It replaces the `relay.out.<session>`
 * meta rows, written after the commit in a second write; their numbers move to the column and
 * the rows (those of deleted sessions too) are removed.
 */
export const HOST_OUT_ON_SESSIONS: readonly string[] = [
  `ALTER TABLE sessions ADD COLUMN host_out BIGINT NOT NULL DEFAULT 0`,
  `UPDATE sessions SET host_out = CAST(
       (SELECT value FROM meta WHERE key = 'relay.out.' || sessions.id) AS BIGINT)
     WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'relay.out.' || sessions.id)`,
  `DELETE FROM meta WHERE key LIKE 'relay.out.%'`,
];

/**
 * A relay's sealed-session keys (docs/protocol.md, "Sealed sessions"): each session key a host
 * wrapped to one device, one row per session, recipient and key epoch (`body` is the
 * `WrappedSessionKey` JSON, which only the recipient can open). Deleted with the session.
 */
export const CREATE_SEALED_KEYS = `CREATE TABLE sealed_keys (
       session_id TEXT NOT NULL,
       recipient TEXT NOT NULL,
       key_epoch BIGINT NOT NULL,
       body TEXT NOT NULL,
       PRIMARY KEY (session_id, recipient, key_epoch)
     )`;
