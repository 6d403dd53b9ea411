import { z } from 'zod';
import { SessionId } from './ids.js';
import { Role } from './role.js';

/**
 * Pairing a device over HTTP: the owner asks for a short code (`POST /api/pairings`), the new
 * device redeems it for a device token of its own (`POST /api/pairings/redeem`, no credential).
 * These bodies are HTTP only; they are not part of the WebSocket schema fingerprint.
 */

/** How long a pairing code lives at most, in seconds (the server's grant limit). */
export const PAIRING_MAX_TTL_SECONDS = 300;

export const CreatePairingBody = z
  .object({
    /** The role the paired device gets. */
    role: Role,
    /** Limits the paired device to this one session. */
    sessionId: SessionId.optional(),
    ttlSeconds: z.number().int().min(1).max(PAIRING_MAX_TTL_SECONDS).optional(),
    /** A note for the owner (who or what the code is for); shown while the code waits. */
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type CreatePairingBody = z.infer<typeof CreatePairingBody>;

/** The answer to `POST /api/pairings`. */
export const PairingCreated = z.object({
  /** Identifies this pairing for `GET /api/pairings/{id}` (not a credential). */
  id: z.string(),
  /** The short code, XXXXX-XXXXX: single-use. */
  code: z.string(),
  /** The web app's pairing page with the code in the fragment (never the query). */
  url: z.string(),
  /** A QR code of `url`, as an SVG document. */
  qrSvg: z.string(),
  /** Epoch milliseconds. */
  expiresAt: z.number(),
  role: Role,
  sessionId: z.string().optional(),
  /** SHA-256 of the server's TLS certificate, when it serves TLS. */
  fingerprint: z.string().optional(),
  name: z.string().optional(),
});
export type PairingCreated = z.infer<typeof PairingCreated>;

/** Where a pairing is: waiting for its device, redeemed by one, or expired unredeemed. */
export const PairingState = z.enum(['waiting', 'paired', 'expired']);
export type PairingState = z.infer<typeof PairingState>;

/** The answer to `GET /api/pairings/{id}`. */
export const PairingStatus = z.object({
  id: z.string(),
  state: PairingState,
  expiresAt: z.number(),
  role: Role,
  sessionId: z.string().optional(),
  name: z.string().optional(),
  /** The device that redeemed the code, once `paired`. */
  device: z.object({ id: z.string(), name: z.string() }).optional(),
});
export type PairingStatus = z.infer<typeof PairingStatus>;

/** A code as typed or scanned: at most a few characters over XXXXX-XXXXX, spaces allowed. */
export const RedeemPairingBody = z.object({
  code: z.string().trim().min(1).max(64),
  /** The name the new device is listed under. */
  deviceName: z.string().trim().min(1).max(200),
});
export type RedeemPairingBody = z.infer<typeof RedeemPairingBody>;

/** The answer to `POST /api/pairings/redeem`: the new device's own credential. */
export const PairingRedeemed = z.object({
  deviceId: z.string(),
  deviceToken: z.string(),
  role: Role,
  sessionScope: z.string().optional(),
});
export type PairingRedeemed = z.infer<typeof PairingRedeemed>;
