import { z } from 'zod';
import { ConnectionMode } from './connection-mode.js';
import { Role } from './role.js';

/** One device as `GET /api/devices` lists it. */
export const DeviceListing = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  /** The one session this device may see, if it was paired or handed off for one. */
  sessionScope: z.string().optional(),
  /** Per-session narrowings of `role`, by session id. */
  sessionRoles: z.record(z.string(), Role),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  revoked: z.boolean(),
  /** The built-in owner (the owner token): cannot be revoked, renamed or demoted. */
  builtIn: z.boolean().optional(),
  /** Connections open now. */
  online: z.number().int().nonnegative(),
  /** Modes of its open connections now, then the modes it was last seen in. */
  modes: z.array(ConnectionMode),
});
export type DeviceListing = z.infer<typeof DeviceListing>;
