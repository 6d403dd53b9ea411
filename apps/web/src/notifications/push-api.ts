import type { PushPrefs } from '@baton/protocol';
import { serverUrl } from '../server-origin.js';

/** A push subscription of this device as the server lists it. */
export interface ServerSubscription {
  id: string;
  endpoint: string;
  prefs: PushPrefs;
  createdAt: number;
}

/** An API answer that was not 2xx, with the server's message. */
export class PushApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** This device's calls to /api/push (docs/protocol.md, "Web Push"), with its own token. */
export class PushApi {
  constructor(private readonly token: string) {}

  async publicKey(): Promise<string> {
    return (await this.call<{ publicKey: string }>('GET', '/api/push/key')).publicKey;
  }

  async list(): Promise<ServerSubscription[]> {
    return (
      await this.call<{ subscriptions: ServerSubscription[] }>('GET', '/api/push/subscriptions')
    ).subscriptions;
  }

  async add(subscription: PushSubscriptionJSON, prefs: PushPrefs): Promise<ServerSubscription> {
    return (
      await this.call<{ subscription: ServerSubscription }>('POST', '/api/push/subscriptions', {
        subscription,
        prefs,
      })
    ).subscription;
  }

  async setPrefs(id: string, prefs: Partial<PushPrefs>): Promise<ServerSubscription> {
    return (
      await this.call<{ subscription: ServerSubscription }>(
        'PATCH',
        `/api/push/subscriptions/${encodeURIComponent(id)}`,
        { prefs },
      )
    ).subscription;
  }

  async remove(id: string): Promise<void> {
    await this.call('DELETE', `/api/push/subscriptions/${encodeURIComponent(id)}`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(serverUrl(path), {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
    if (!res.ok)
      throw new PushApiError(
        res.status,
        json.error?.message ?? `the server answered ${res.status}`,
      );
    return json as T;
  }
}
