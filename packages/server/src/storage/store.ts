import type { LogEvent, Role, SessionKind, SessionStatus } from '@baton/protocol';
import type { SessionLease } from './session-lease.js';

/**
 * Everything baton keeps, behind one small interface. The SQLite implementation is the embedded
 * default; a PostgreSQL one (many nodes) implements the same interface and runs the same
 * conformance suite (store-conformance.ts). Every method is async so that network-backed stores
 * fit; SQL is kept portable (no SQLite-only syntax beyond what PostgreSQL also accepts).
 *
 * Ownership: a session's sequence numbers are allocated by the one process that owns the
 * session (LogWriter), never by the store. The store enforces uniqueness of (session, seq) and of
 * (session, device, input id) as a second line of defence; with many nodes a fenced lease epoch will be
 * checked on every commit.
 */
export interface Store {
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  /**
   * A relay's wrapped session keys: stores each (session, recipient, epoch) once, replacing a
   * row with the same key (a host wraps again at every start).
   */
  putSealedKeys(rows: readonly SealedKeyRecord[]): Promise<void>;
  /** Every stored wrapped key, for a relay's start. */
  listSealedKeys(): Promise<SealedKeyRecord[]>;

  insertDevice(device: DeviceRecord): Promise<void>;
  findDeviceByTokenHash(tokenHash: string): Promise<DeviceRecord | undefined>;
  listDevices(): Promise<DeviceRecord[]>;
  touchDevice(id: string, at: number): Promise<void>;
  revokeDevice(id: string, at: number): Promise<boolean>;
  /** Renames a device or changes its role; false when there is no such device. */
  updateDevice(id: string, patch: DevicePatch): Promise<boolean>;
  /** Narrows a device's role on one session; `null` removes the narrowing. */
  setSessionRole(deviceId: string, sessionId: string, role: Role | null): Promise<void>;
  listSessionRoles(): Promise<SessionRoleRecord[]>;

  /**
   * Appends audit rows in one transaction, in order; ids are allocated ascending by the store.
   * There is no update or delete of single rows: the audit log is append-only.
   */
  appendAudit(entries: readonly NewAuditRecord[]): Promise<void>;
  /** Audit rows with id > `after`, ascending, at most `limit`, filtered by session and device. */
  readAudit(query: AuditQueryRecord): Promise<AuditRecord[]>;
  /** Retention: deletes the audit rows older than `before` (ms); returns how many. */
  pruneAudit(before: number): Promise<number>;

  insertGrant(grant: GrantRecord): Promise<void>;
  findGrant(codeHash: string): Promise<GrantRecord | undefined>;
  /**
   * Marks a grant used by `deviceId`, only if it was not used yet: true for exactly one caller,
   * however many redeem the same code at once (the single-use guarantee lives here).
   */
  useGrant(codeHash: string, at: number, deviceId: string): Promise<boolean>;

  /**
   * Stores a Web Push subscription; one with the same endpoint (the same browser subscribing
   * again, perhaps as another device after re-pairing) is replaced, keeping nothing of it.
   */
  putPushSubscription(sub: PushSubscriptionRecord): Promise<void>;
  listPushSubscriptions(): Promise<PushSubscriptionRecord[]>;
  /** Replaces a subscription's prefs (JSON); false when there is no such subscription. */
  setPushPrefs(id: string, prefs: string): Promise<boolean>;
  /** false when there was no such subscription. */
  deletePushSubscription(id: string): Promise<boolean>;
  deleteDevicePushSubscriptions(deviceId: string): Promise<void>;

  insertSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  listSessions(): Promise<SessionRecord[]>;
  /** Gives the session's log a new epoch (after a restore was detected). */
  setSessionEpoch(id: string, epoch: string): Promise<void>;
  /**
   * Deletes the session with its events, input ids, snapshot, documents, per-session roles and
   * uses of attachments, and every attachment no other session uses.
   */
  deleteSession(id: string): Promise<void>;

  /**
   * Commits one group of appends, for any number of sessions, in one transaction. Each entry is
   * atomic on its own and entries are isolated from each other: an entry that cannot be stored
   * (its session was deleted, a (session, seq) or (session, input id) already exists) is left
   * out whole and reported in `failed`, and the other entries commit. A failure of the store
   * itself (full disk, I/O error) rejects, and then nothing of the batch is stored.
   * Called by the LogWriter only.
   */
  commit(batch: readonly CommitEntry[]): Promise<CommitOutcome>;
  /**
   * Already-stored inputs among `keys` (dedupe before allocating), by `inputKey`. An input stored
   * before dedupe was per device (device '') matches the same id from any device. The map is new
   * on every call: the caller may add to it (the log writer adds the inputs of its batch).
   */
  findInputs(sessionId: string, keys: readonly InputKey[]): Promise<Map<string, StoredInput>>;
  /**
   * An input id at or above every input id stored for the session, in the order of JavaScript's
   * `<` on ids of the wire's characters (ASCII); '' when none is stored; undefined when this
   * store cannot tell cheaply, and then every key is looked up (InputIdCeilings). Document write
   * keys (`doc/<writeId>`, no input id has a `/`) are not input ids: they may be above it.
   */
  inputIdCeiling(sessionId: string): Promise<string | undefined>;
  /** The session's shared documents as last committed (`CommitEntry.documents`), by name. */
  listDocuments(sessionId: string): Promise<DocumentRecord[]>;
  /** Events with seq > afterSeq, ascending, at most `limit`. */
  readEvents(sessionId: string, afterSeq: number, limit: number): Promise<StoredEvent[]>;

  /** Stores the session's projection snapshot at `seq` (replacing the previous one). */
  putSnapshot(sessionId: string, seq: number, state: string): Promise<void>;
  getSnapshot(sessionId: string): Promise<{ seq: number; state: string } | undefined>;
  /** Deletes events with seq <= uptoSeq and records the new first retained seq. */
  compact(sessionId: string, uptoSeq: number): Promise<void>;

  /**
   * Stores an attachment under its id (the SHA-256 of its bytes, computed by the caller), once,
   * as used by `sessionId` (the session it was uploaded to): true when it was stored now, false
   * when that id was stored before (the bytes are then not written again; the use is recorded
   * all the same). Content-addressed rows never change, so racing uploads of the same bytes
   * both succeed and exactly one of them reports true.
   */
  putAttachment(attachment: AttachmentRecord, sessionId: string): Promise<boolean>;
  /** An attachment with its bytes. */
  getAttachment(id: string): Promise<AttachmentRecord | undefined>;
  /**
   * Records that `sessionId` uses each of `ids` that is stored (a message names them) and
   * describes those (type and size, no bytes), by id; unknown ids are left out and get no use.
   * One that is described here stays stored until every session that uses it is deleted: the
   * check and the use are one step, so a concurrent `deleteSession` either deletes it first
   * (it is then left out here) or keeps it.
   */
  useAttachments(sessionId: string, ids: readonly string[]): Promise<Map<string, AttachmentMeta>>;
  /**
   * What is stored of `ids` that `sessionId` uses (or that was stored before uses were
   * recorded), by id; others are left out.
   */
  describeAttachments(
    sessionId: string,
    ids: readonly string[],
  ): Promise<Map<string, AttachmentMeta>>;

  close(): Promise<void>;
}

/** A stored attachment without its bytes. */
export interface AttachmentMeta {
  /** The SHA-256 of the bytes, lowercase hex. */
  id: string;
  /** The type sniffed from the bytes at upload (one of ATTACHMENT_TYPES). */
  type: string;
  size: number;
  createdAt: number;
}

export interface AttachmentRecord extends AttachmentMeta {
  data: Uint8Array;
}

export interface DeviceRecord {
  id: string;
  name: string;
  tokenHash: string;
  createdAt: number;
  lastSeenAt: number;
  revokedAt?: number;
  role: Role;
  /** The one session this device may see, when it was paired or handed off for one. */
  sessionScope?: string;
  /** The connection modes it was seen in, most recent first (empty before migration 6). */
  modes?: string[];
}

export interface DevicePatch {
  name?: string;
  role?: Role;
  /** Replaces the connection modes it was seen in. */
  modes?: readonly string[];
}

/** One row of the audit log, as stored (`detail` as JSON text). */
export interface AuditRecord {
  id: number;
  at: number;
  deviceId: string;
  deviceName: string;
  mode: string;
  role: Role;
  action: string;
  sessionId?: string;
  detailJson?: string;
}

export type NewAuditRecord = Omit<AuditRecord, 'id'>;

export interface AuditQueryRecord {
  sessionId?: string;
  deviceId?: string;
  after: number;
  limit: number;
}

/** A single-use pairing code or handoff token (only its hash is stored). */
export interface GrantRecord {
  codeHash: string;
  kind: 'pair' | 'handoff';
  /** The role the redeeming device gets. */
  role: Role;
  /** The one session the redeeming device may see, if any. */
  sessionScope?: string;
  /** For handoffs: `takeover`, `mirror` or `observe`. */
  mode?: string;
  /** The device that issued it. */
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  usedAt?: number;
  usedBy?: string;
}

/** A browser's Web Push subscription, owned by one device. */
export interface PushSubscriptionRecord {
  id: string;
  deviceId: string;
  /** The push service URL the server POSTs encrypted notifications to. */
  endpoint: string;
  /** The browser's P-256 public key and auth secret, base64url (RFC 8291). */
  p256dh: string;
  auth: string;
  /** Which notifications it wants, as JSON (PushPrefs). */
  prefs: string;
  createdAt: number;
}

/** A device's role narrowed on one session. */
export interface SessionRoleRecord {
  deviceId: string;
  sessionId: string;
  role: Role;
}

export interface SessionRecord {
  id: string;
  name: string;
  kind: SessionKind;
  status: SessionStatus;
  reason?: string;
  exitCode?: number;
  /** The session's config as JSON (never shown unredacted: env values may hold secrets). */
  config: string;
  createdAt: number;
  lastActivityAt: number;
  headSeq: number;
  /** The oldest retained event's seq (1 until compaction). */
  firstSeq: number;
  /** The epoch of the session's log ('' only for sessions stored before epochs existed). */
  epoch: string;
  /** Who may steer the session, as `SessionControl` JSON; absent while it is `open`. */
  control?: string;
  /**
   * On a relay: the highest `out` number of the session's host whose events are stored; absent
   * before any (and on a server that is not a relay). Set only through `SessionPatch.hostOut`,
   * never by `insertSession`; deleted with the session.
   */
  hostOut?: number;
}

/** A stored event: the parsed envelope plus its data exactly as stored (serialized once). */
export interface StoredEvent {
  seq: number;
  ts: number;
  type: LogEvent['type'];
  /** The event's `data` as JSON text. */
  dataJson: string;
}

export interface SessionPatch {
  headSeq: number;
  lastActivityAt: number;
  name?: string;
  status?: SessionStatus;
  /** `null` clears the stored value. */
  reason?: string | null;
  exitCode?: number | null;
  /** The session's control state as JSON; `null` clears it (back to `open`). */
  control?: string | null;
  /**
   * On a relay: the host's `out` number these events stand for (SessionRecord.hostOut), stored
   * in the same transaction as them, so that a resent `out` is recognised exactly when its
   * events were stored.
   */
  hostOut?: number;
}

export interface CommitEntry {
  sessionId: string;
  events: readonly StoredEvent[];
  inputs: readonly (InputKey & { seq: number; payloadDigest: string })[];
  patch: SessionPatch;
  /**
   * With many nodes: the lease the writer holds the session under (session-lease.ts). The entry
   * is stored only if that lease is still the session's current one, checked in the commit's own
   * transaction (fencing); otherwise it fails alone, like an entry whose session was deleted.
   * SqliteStore serves one node (its data directory is locked) and has no leases: it ignores it.
   */
  lease?: SessionLease;
  /**
   * Shared documents to store in the same transaction as the events (replacing the stored
   * state of each by name): the state after the entry's `doc.changed` events.
   */
  documents?: readonly DocumentRecord[];
}

/** A shared document's state as stored: `DocumentState` JSON at `version`. */
export interface DocumentRecord {
  name: string;
  version: number;
  state: string;
}

/** What `commit` left out: the entries (by session id) that could not be stored, with why. */
export interface CommitOutcome {
  failed: Map<string, Error>;
}

/**
 * Shared-document writes are deduplicated beside inputs, under this prefix and their write id
 * (hub/documents/write-once-key.ts): no input id has a `/`, so the two never meet.
 */
export const DOCUMENT_KEY_PREFIX = 'doc/';

/** Inputs are deduplicated per session on (device, input id). */
export interface InputKey {
  deviceId: string;
  inputId: string;
}

export interface StoredInput {
  seq: number;
  /** The payload's digest (`payloadDigest`); absent for inputs stored before digests existed. */
  payloadDigest?: string;
}

/** The map key of an input in `findInputs` results. */
export function inputKey(k: InputKey): string {
  return `${k.deviceId}\n${k.inputId}`;
}

/** A session key wrapped to one device (docs/protocol.md, "Sealed sessions"). */
export interface SealedKeyRecord {
  sessionId: string;
  recipient: string;
  keyEpoch: number;
  /** The `WrappedSessionKey` JSON. */
  body: string;
}
