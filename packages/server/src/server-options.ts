import type { LogFormat, LogLevel } from './logger.js';
import type { RateLimit } from './ws/token-bucket.js';
import type { RunnerFactory } from './runners/runner.js';
import type { TlsOptions } from './tls/tls-options.js';
import type { PushOptions, PushSent } from './push/push-options.js';
import type { Store } from './storage/store.js';

export interface ServerOptions {
  /** Interface to bind. Defaults to 127.0.0.1: baton is reachable from elsewhere only on request. */
  host?: string;
  /** Port; 0 picks a free one. Defaults to 7777. */
  port?: number;
  /**
   * Directory for the SQLite database, the owner token file and per-session directories (with a
   * PostgreSQL store everything but the database stays here).
   */
  dataDir: string;
  /**
   * The store: absent for the embedded SQLite database in `dataDir`; a
   * `postgres://user@host:port/database?schema=NAME` URL for PostgreSQL (schema default `baton`,
   * created when missing; see docs/operations.md, "PostgreSQL"); or a Store of the embedding
   * application's own (a test's wrapper), which the server then closes when it stops.
   */
  store?: string | Store;
  /**
   * Run as one of many nodes on the PostgreSQL `store` (docs/operations.md, "Many nodes"): the
   * schema is shared, each session is owned by one node under a lease, and the others forward to
   * it. `leaseMs` bounds failover (default 10 s); `pollMs` how soon a lost notification is made
   * up (default 1 s).
   */
  cluster?: { leaseMs?: number; pollMs?: number; nodeId?: string };
  /** Fixed owner credential (BATON_TOKEN). Otherwise one is created on first start and kept. */
  ownerToken?: string;
  logLevel?: LogLevel;
  /** Where log lines go (default: stderr); tests read them. */
  logSink?(line: string): void;
  /** `text` (default) for people, `json` (one object per line) for log shippers. */
  logFormat?: LogFormat;
  /** Events kept per session before older ones are compacted into a snapshot. */
  retentionEvents?: number;
  /** Audit rows older than this many days are deleted (at start, then daily). Default 365; 0 keeps all. */
  auditRetentionDays?: number;
  /** Heartbeat interval; a connection silent for three intervals is closed. Default 15 s. */
  heartbeatMs?: number;
  /** Largest accepted WebSocket frame, in bytes. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Largest accepted HTTP request body, in bytes; larger ones get 413. Default: maxFrameBytes. */
  maxBodyBytes?: number;
  /**
   * Largest accepted attachment (an image or file sent with a chat message), in bytes; larger
   * uploads get 413 `attachment_too_large`. Default 10 MiB.
   */
  maxAttachmentBytes?: number;
  /** Bytes a WebSocket client may send before its `hello` is accepted. Default 8 KiB. */
  preHelloMaxBytes?: number;
  /** How long a WebSocket may stay open without an accepted `hello`. Default 10 s. */
  helloTimeoutMs?: number;
  /**
   * WebSocket connections without an accepted `hello` allowed at once; more are closed with
   * 1013 (try again later). Default 2,048: above a reconnect storm of every device at once
   * after a restart, and bounded (each waiting connection holds at most preHelloMaxBytes).
   */
  maxPendingConnections?: number;
  /**
   * Frames per second per authenticated WebSocket connection, as a token bucket; over it the
   * connection is read more slowly (ws/frame-pacer.ts), its frames waiting in order, never
   * refused. `false` turns it off. Default 5,000/s, burst 10,000.
   */
  rateLimit?: RateLimit | false;
  /**
   * Run as a relay (`baton relay`, docs/relay.md): every session runs on a host that connects
   * to `/v1/host` (`baton host --relay URL`); `runners` is ignored.
   */
  relay?: boolean;
  /** Runner factories by kind; replaces the defaults of the same kind. */
  runners?: RunnerFactory[];
  /** Directory with the built web app to serve at `/`, if any. */
  webRoot?: string;
  /**
   * What a commit survives, with the SQLite store (PostgreSQL's is its own `synchronous_commit`).
   * `normal` (default): a crash or `kill -9` of the server, not an
   * operating-system crash or power loss. `full`: power loss too (one fsync per group commit).
   */
  durability?: 'normal' | 'full';
  /** Extra origins allowed to open a WebSocket (same-origin and loopback are always allowed). */
  allowedOrigins?: string[];
  /**
   * The address other devices reach this server at (`https://baton.example.net`), for the links
   * it hands out (pairing URLs). Without it, links use the Host header of the request.
   */
  publicUrl?: string;
  /**
   * Serve HTTPS and WSS on the port instead of HTTP and WS. `{ selfSigned: true }` makes a
   * certificate for this machine's names and addresses, keeps it in `<dataDir>/tls` (key 0600),
   * reuses it across restarts and renews it 30 days before it ends. `{ certFile, keyFile }`
   * serves a certificate of the operator's (PEM; checked at start: TlsStartError).
   */
  tls?: TlsOptions;
  /**
   * Web Push notifications (docs/operations.md, "Notifications"): on unless `enabled` is false.
   * VAPID keys are made once and kept in `<dataDir>/push`.
   */
  push?: PushOptions;
  /**
   * Called for each notification a push service answered (`status` 201 when it accepted it),
   * e.g. to count notifications sent. Must not throw (a throw is logged and ignored).
   */
  onPushSent?(sent: PushSent): void;
  /**
   * `GET /metrics` (Prometheus). By default only loopback peers, or anyone with the owner token,
   * may read it; `public: true` serves it to everyone who can reach the server.
   */
  metrics?: { public?: boolean };
}
