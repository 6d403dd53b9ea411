import { createContext, useContext } from 'react';
import { BatonError } from '@baton/client';
import { serverUrl } from '../server-origin.js';

/** Calls the server's HTTP API (`/api/...`) as this browser's device. */
export type ApiCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * The HTTP API with this browser's device token: the pages that have no WebSocket message
 * (devices, audit log, settings) use it. A refusal becomes a BatonError with the server's code
 * and message, which name what to change.
 */
export function makeApiCall(token: string): ApiCall {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(serverUrl(path), {
        method,
        cache: 'no-store',
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new BatonError('disconnected', 'baton cannot be reached');
    }
    const json = (await res.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string };
    };
    if (!res.ok)
      throw new BatonError(
        (json.error?.code ?? 'internal') as 'internal',
        json.error?.message ?? `the server answered ${res.status}`,
      );
    return json as T;
  };
}

export const ApiContext = createContext<ApiCall | undefined>(undefined);

export function useApi(): ApiCall {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi needs an ApiContext provider (App)');
  return api;
}
