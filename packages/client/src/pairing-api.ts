import {
  PairingCreated,
  PairingRedeemed,
  PairingStatus,
  describeZodError,
  type CreatePairingBody,
} from '@baton/protocol';
import { BatonError } from './baton-error.js';
import { requestJson, type HttpFetch } from './http-json.js';

interface Schema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: Parameters<typeof describeZodError>[0] };
}

/** Checks an answer against its schema, so a server that answers otherwise fails clearly. */
function parsed<T>(schema: Schema<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new BatonError('bad_reply', `${what}: ${describeZodError(r.error)}`);
  return r.data;
}

/**
 * Asks the server for a pairing code (`POST /api/pairings`; the owner's role is needed). Show
 * the `code`, the QR (`qrSvg`, of `url`) and the `fingerprint` when present; the code is
 * single-use and expires at `expiresAt`.
 *
 * @example
 * const p = await createPairing('http://127.0.0.1:7777', token, { role: 'viewer' });
 */
export async function createPairing(
  baseUrl: string,
  token: string,
  body: CreatePairingBody,
  fetchImpl?: HttpFetch,
): Promise<PairingCreated> {
  const answer = await requestJson(baseUrl, 'POST', '/api/pairings', {
    token,
    body,
    ...(fetchImpl ? { fetchImpl } : {}),
  });
  return parsed(PairingCreated, answer, 'POST /api/pairings answered');
}

/** Where a pairing is (`waiting`, `paired` with the device, `expired`): poll it to say "paired". */
export async function pairingStatus(
  baseUrl: string,
  token: string,
  id: string,
  fetchImpl?: HttpFetch,
): Promise<PairingStatus> {
  const answer = await requestJson(baseUrl, 'GET', `/api/pairings/${encodeURIComponent(id)}`, {
    token,
    ...(fetchImpl ? { fetchImpl } : {}),
  });
  return parsed(PairingStatus, answer, 'GET /api/pairings answered');
}

/**
 * Redeems a pairing code for this device's own credential (`POST /api/pairings/redeem`; no
 * token needed). Fails with `not_found` (unknown or malformed code), `already_used`, `expired`
 * or `rate_limited` (with `retryAfterMs`). Keep `deviceToken` secret.
 *
 * @example
 * const { deviceToken } = await redeemPairing(location.origin, '7K3QD-M9XWT', 'Pixel');
 */
export async function redeemPairing(
  baseUrl: string,
  code: string,
  deviceName: string,
  fetchImpl?: HttpFetch,
): Promise<PairingRedeemed> {
  const answer = await requestJson(baseUrl, 'POST', '/api/pairings/redeem', {
    body: { code, deviceName },
    ...(fetchImpl ? { fetchImpl } : {}),
  });
  return parsed(PairingRedeemed, answer, 'POST /api/pairings/redeem answered');
}
