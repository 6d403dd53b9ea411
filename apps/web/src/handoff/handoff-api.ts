import type { HandoffMode, Role, SessionControl } from '@baton/protocol';
import { loadCredential } from '../sign-in/device-credential.js';
import { serverUrl } from '../server-origin.js';

/** A refusal from the HTTP API, with its error code (`already_used`, `expired`, `forbidden`…). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** POSTs JSON to the server this app came from, as this browser's device when it has one. */
async function post<T>(path: string, body: unknown, signedIn = true): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const credential = signedIn ? loadCredential() : undefined;
  if (credential) headers['authorization'] = `Bearer ${credential.token}`;
  let res: Response;
  try {
    res = await fetch(serverUrl(path), { method: 'POST', headers, body: JSON.stringify(body) });
  } catch {
    throw new ApiError(
      0,
      'disconnected',
      'baton cannot be reached: check the connection and try again',
    );
  }
  const json = (await res.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string };
  };
  if (!res.ok)
    throw new ApiError(
      res.status,
      json.error?.code ?? 'internal',
      json.error?.message ?? `baton answered ${res.status}`,
    );
  return json as T;
}

export interface IssuedHandoff {
  token: string;
  url: string;
  qrSvg: string;
  expiresAt: number;
}

export function createHandoff(sessionId: string, mode: HandoffMode): Promise<IssuedHandoff> {
  return post(`/api/sessions/${encodeURIComponent(sessionId)}/handoff`, { mode });
}

export interface ResumedHandoff {
  deviceId: string;
  /** Absent when this browser's own device received the handoff. */
  deviceToken?: string;
  role: Role;
  mode: HandoffMode;
  control: SessionControl;
}

/**
 * Redeems a handoff token. A browser already signed in sends its device token, so its own device
 * receives the handoff; otherwise the server creates a device for it, limited to the session.
 */
export function resumeHandoff(
  sessionId: string,
  handoffToken: string,
  deviceName: string,
): Promise<ResumedHandoff> {
  return post(`/api/sessions/${encodeURIComponent(sessionId)}/resume`, {
    handoffToken,
    deviceName,
  });
}

/** Takes control back (an owner) or releases it (the controller or an owner). */
export function changeControl(sessionId: string, action: 'reclaim' | 'release'): Promise<unknown> {
  return post(`/api/sessions/${encodeURIComponent(sessionId)}/control`, { action });
}
