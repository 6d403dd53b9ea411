import { ECDH } from 'node:crypto';
import { PushPrefs, type PushKind } from '@baton/protocol';
import { randomId } from '../auth/tokens.js';
import { BatonError } from '../baton-error.js';
import type { PushSubscriptionRecord, Store } from '../storage/store.js';

/** Every kind on: a device that subscribes wants to hear about its sessions until it says not. */
export const DEFAULT_PREFS: PushPrefs = {
  permission: true,
  turnEnded: true,
  terminalExited: true,
  sessionFailed: true,
};

/** Prefs as a request may give them: any subset of the kinds. */
export type PrefsPatch = { [K in PushKind]?: boolean | undefined };

/** `base` with the kinds `patch` names replaced (a kind left out keeps its value). */
export function mergePrefs(base: PushPrefs, patch: PrefsPatch): PushPrefs {
  const next = { ...base };
  for (const kind of Object.keys(base) as PushKind[]) {
    const v = patch[kind];
    if (v !== undefined) next[kind] = v;
  }
  return next;
}

/** A subscription as the API shows it to its own device (the keys stay on the server). */
export interface PushSubscriptionView {
  id: string;
  endpoint: string;
  prefs: PushPrefs;
  createdAt: number;
}

/** A subscription with its prefs parsed, as the notifier reads it. */
export interface PushTarget {
  id: string;
  deviceId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  prefs: PushPrefs;
}

/**
 * The Web Push subscriptions of every device, written to the store before the in-memory map
 * changes (so a failed write changes nothing) and read from the map on every commit (the
 * notifier runs inside the commit callback and must not wait on the store).
 *
 * A device manages only its own subscriptions: every method that takes an id also takes the
 * asking device, and another device's subscription answers `not_found`, exactly as a missing
 * one does, so ids of other devices cannot be probed.
 */
export class PushSubscriptions {
  private readonly byId = new Map<string, PushTarget & { createdAt: number }>();

  private constructor(private readonly store: Store) {}

  static async open(store: Store): Promise<PushSubscriptions> {
    const subs = new PushSubscriptions(store);
    for (const r of await store.listPushSubscriptions()) subs.remember(r);
    return subs;
  }

  /** Subscriptions that want `kind`, of any device (the notifier filters by device). */
  wanting(kind: PushKind): PushTarget[] {
    return [...this.byId.values()].filter((s) => s.prefs[kind]);
  }

  listFor(deviceId: string): PushSubscriptionView[] {
    return [...this.byId.values()].filter((s) => s.deviceId === deviceId).map(view);
  }

  /**
   * Subscribes a browser for `deviceId`. The same endpoint subscribed again replaces the old
   * subscription (a browser has one endpoint per server key), whichever device had it.
   */
  async add(
    deviceId: string,
    sub: { endpoint: string; keys: { p256dh: string; auth: string } },
    prefs: PrefsPatch = {},
  ): Promise<PushSubscriptionView> {
    checkBrowserKey(sub.keys.p256dh);
    const record: PushSubscriptionRecord = {
      id: `ps_${randomId(20)}`,
      deviceId,
      endpoint: sub.endpoint,
      p256dh: sub.keys.p256dh,
      auth: sub.keys.auth,
      prefs: JSON.stringify(mergePrefs(DEFAULT_PREFS, prefs)),
      createdAt: Date.now(),
    };
    await this.store.putPushSubscription(record);
    for (const [id, s] of this.byId) if (s.endpoint === sub.endpoint) this.byId.delete(id);
    return view(this.remember(record));
  }

  async setPrefs(deviceId: string, id: string, prefs: PrefsPatch): Promise<PushSubscriptionView> {
    const s = this.own(deviceId, id);
    const next = mergePrefs(s.prefs, prefs);
    if (!(await this.store.setPushPrefs(id, JSON.stringify(next))))
      throw new BatonError('not_found', `no push subscription ${id} of this device`);
    s.prefs = next;
    return view(s);
  }

  async remove(deviceId: string, id: string): Promise<void> {
    this.own(deviceId, id);
    await this.store.deletePushSubscription(id);
    this.byId.delete(id);
  }

  /** Drops a subscription its push service says is gone (404/410), whoever owns it. */
  async forget(id: string): Promise<void> {
    await this.store.deletePushSubscription(id);
    this.byId.delete(id);
  }

  /** Drops every subscription of a revoked device: it must never hear of a session again. */
  async forgetDevice(deviceId: string): Promise<void> {
    await this.store.deleteDevicePushSubscriptions(deviceId);
    for (const [id, s] of this.byId) if (s.deviceId === deviceId) this.byId.delete(id);
  }

  private own(deviceId: string, id: string): PushTarget & { createdAt: number } {
    const s = this.byId.get(id);
    if (!s || s.deviceId !== deviceId)
      throw new BatonError('not_found', `no push subscription ${id.slice(0, 40)} of this device`);
    return s;
  }

  private remember(r: PushSubscriptionRecord): PushTarget & { createdAt: number } {
    const parsed = PushPrefs.partial().safeParse(safeJson(r.prefs));
    const target = {
      id: r.id,
      deviceId: r.deviceId,
      endpoint: r.endpoint,
      keys: { p256dh: r.p256dh, auth: r.auth },
      prefs: mergePrefs(DEFAULT_PREFS, parsed.success ? parsed.data : {}),
      createdAt: r.createdAt,
    };
    this.byId.set(r.id, target);
    return target;
  }
}

function view(s: PushTarget & { createdAt: number }): PushSubscriptionView {
  return { id: s.id, endpoint: s.endpoint, prefs: { ...s.prefs }, createdAt: s.createdAt };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/**
 * The browser's key must be a point on P-256: every notification is encrypted to it, and one
 * that is not could never be sent (each attempt would fail, and the push service would never
 * say the subscription is gone). The schema checks only its length and alphabet.
 */
function checkBrowserKey(p256dh: string): void {
  try {
    ECDH.convertKey(Buffer.from(p256dh, 'base64url'), 'prime256v1');
  } catch {
    throw new BatonError(
      'invalid_message',
      'subscription.keys.p256dh is not a P-256 public key (an uncompressed point on the curve): subscribe again from the browser',
    );
  }
}
