import { ErrorBody, type ConnectionMode } from '@baton/protocol';
import { BatonError } from './baton-error.js';

/** A registered device: its id and the token it uses in `hello`. Keep the token secret. */
export interface RegisteredDevice {
  deviceId: string;
  token: string;
}

/** The part of `fetch` this helper uses; the global `fetch` fits in browsers and Node 20. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

/**
 * Registers a device with the owner token (`POST /api/devices`) and returns its credential.
 *
 * @param baseUrl the server's HTTP address, for example `http://127.0.0.1:7777`.
 * @example
 * const { token } = await registerDevice('http://127.0.0.1:7777', ownerToken, 'laptop', 'cli');
 */
export async function registerDevice(
  baseUrl: string,
  ownerToken: string,
  name: string,
  mode?: ConnectionMode,
  fetchImpl: FetchLike = globalThis.fetch as unknown as FetchLike,
): Promise<RegisteredDevice> {
  if (!/^https?:\/\//.test(baseUrl)) {
    throw new BatonError(
      'bad_request',
      `baseUrl must be an http(s) URL such as http://127.0.0.1:7777, got '${baseUrl}'`,
    );
  }
  const url = new URL('/api/devices', baseUrl).toString();
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ownerToken}` },
    body: JSON.stringify({ name, ...(mode !== undefined ? { mode } : {}) }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BatonError(
      'bad_reply',
      `POST ${url} answered ${response.status} with a non-JSON body`,
    );
  }
  if (!response.ok) {
    // Error bodies are `{ error: { code, message } }`.
    const error = ErrorBody.safeParse((body as { error?: unknown } | null)?.error ?? body);
    if (error.success)
      throw new BatonError(error.data.code, error.data.message, error.data.retryAfterMs);
    throw new BatonError('bad_reply', `POST ${url} failed with status ${response.status}`);
  }
  const device = body as Partial<RegisteredDevice>;
  if (typeof device.deviceId !== 'string' || typeof device.token !== 'string') {
    throw new BatonError('bad_reply', `POST ${url} did not return { deviceId, token }`);
  }
  return { deviceId: device.deviceId, token: device.token };
}
