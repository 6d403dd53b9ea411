import type { IncomingMessage } from 'node:http';
import type { ZodType } from 'zod';
import type { AccessControl } from '../auth/access-control.js';
import type { DeviceRegistry } from '../auth/device-registry.js';
import type { Grants } from '../auth/grants.js';
import type { RedeemLimiter } from '../auth/redeem-limiter.js';
import type { SessionHub } from '../hub/session-hub.js';
import type { Logger } from '../logger.js';
import type { StoreState } from '../storage/store-health.js';

/** What the HTTP API's route modules share. */
export interface ApiDeps {
  hub: SessionHub;
  log: Logger;
  devices: DeviceRegistry;
  access: AccessControl;
  /** Pairing codes and handoff tokens. */
  grants: Grants;
  /** Counts every attempt to redeem a grant (public routes): see RedeemLimiter. */
  redeemLimiter: RedeemLimiter;
  maxBodyBytes: number;
  startedAt: number;
  version: string;
  /** Whether the store accepts writes. */
  storeState(): StoreState;
  /** Closes every connection of a revoked device. */
  onDeviceRevoked(deviceId: string): void;
}

/** Reads and validates a request body within the server's size limit. */
export type BodyReader = <T>(req: IncomingMessage, schema: ZodType<T>) => Promise<T>;
