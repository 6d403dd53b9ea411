import { z } from 'zod';

/**
 * One host as `GET /api/hosts` lists it on a relay (docs/relay.md): every machine that ever
 * connected with `baton host --relay`, with or without sessions, so a new session can name it.
 */
export const HostListing = z.object({
  /** The device id the host paired with (what `config.host` stores). */
  id: z.string(),
  name: z.string(),
  /** Connected to the relay now. */
  online: z.boolean(),
  /**
   * When the relay last heard from it (ms since the epoch): now while online, else when its link
   * closed (or, after the relay was killed, its last stamp: one a minute while online); null for
   * a host not seen since the relay started keeping this.
   */
  lastSeenAt: z.number().nullable(),
  /**
   * The fingerprint of the host's public signing key (as `baton host` prints it), to compare
   * with the host's own; absent for a host that never registered keys.
   */
  keyFingerprint: z.string().optional(),
  /** Its sessions that the asking device may see. */
  sessions: z.number().int().nonnegative(),
});
export type HostListing = z.infer<typeof HostListing>;

/** `GET /api/hosts`: `relay` false (and no hosts) on a server that runs its sessions itself. */
export const HostListResponse = z.object({
  relay: z.boolean(),
  hosts: z.array(HostListing),
});
export type HostListResponse = z.infer<typeof HostListResponse>;
