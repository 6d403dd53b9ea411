import type { IncomingMessage } from 'node:http';
import type { ZodType } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import type { AccessControl } from '../auth/access-control.js';
import type { ServerSettings } from '../auth/server-settings.js';
import type { DeviceRegistry } from '../auth/device-registry.js';
import type { Grants } from '../auth/grants.js';
import type { RedeemLimiter } from '../auth/redeem-limiter.js';
import type { SessionHub } from '../hub/session-hub.js';
import type { Logger } from '../logger.js';
import type { HostDirectory } from '../relay/host-directory.js';
import type { RelaySealing } from '../relay/relay-sealing.js';
import type { PushSubscriptions } from '../push/push-subscriptions.js';
import type { StoreState } from '../storage/store-health.js';
import type { ClusterHealth } from '../cluster/cluster-node.js';
import type { Store } from '../storage/store.js';

/** What the HTTP API's route modules share. */
export interface ApiDeps {
  hub: SessionHub;
  /** On a relay: the hosts it knows (GET /api/hosts). */
  hosts?: HostDirectory;
  /** On a relay: sealed sessions' rosters, wrapped keys and introductions. */
  sealing?: RelaySealing;
  /** A device introduced itself to a host: deliver it now if the host is online. */
  onIntroduction?(hostId: string): void;
  log: Logger;
  devices: DeviceRegistry;
  access: AccessControl;
  /** Pairing codes and handoff tokens. */
  grants: Grants;
  /** Counts every attempt to redeem a grant (public routes): see RedeemLimiter. */
  redeemLimiter: RedeemLimiter;
  /**
   * SHA-256 of the server's TLS certificate (uppercase hex pairs joined by ':'), when it serves
   * TLS: carried in pairing responses, URLs and QR codes so a phone can check it. Read it at
   * use: it changes when a self-signed certificate is renewed while the server runs.
   */
  readonly tlsFingerprint?: string | undefined;
  /** The address other devices reach this server at, when set (behind a reverse proxy). */
  publicUrl?: string;
  /** The address the server listens on (`--host`), to tell whether other devices can reach it. */
  listenHost?: string;
  maxBodyBytes: number;
  /** Attachments are stored here (content-addressed), at most this many bytes each. */
  attachments: { store: Store; maxBytes: number };
  startedAt: number;
  version: string;
  /** Whether the store accepts writes. */
  storeState(): StoreState;
  /** Control actions are recorded here (append-only). */
  audit: AuditLog;
  /** Settings the owner changes (who may read the audit log). */
  settings: ServerSettings;
  /** Closes every connection of a revoked device (and drops its push subscriptions). */
  onDeviceRevoked(deviceId: string): void;
  /** Open WebSocket connections (for /api/health). */
  connectionCount?(): number;
  /** With `--cluster`: this node's part (for /api/health). */
  clusterState?(): ClusterHealth;
  /** Web Push, when enabled: the VAPID public key and the subscriptions. */
  push?: { publicKey: string; subscriptions: PushSubscriptions };
  /**
   * Tells every open connection of a device that its name or role changed: they get
   * `device.changed`, their attachments are made read-only where the new role may not write, and
   * presence is sent again with the new role.
   */
  onDeviceChanged(deviceId: string): void;
  /** The modes of a device's open connections (one entry per connection). */
  liveModes(deviceId: string): string[];
}

/** Reads and validates a request body within the server's size limit. */
export type BodyReader = <T>(req: IncomingMessage, schema: ZodType<T>) => Promise<T>;
