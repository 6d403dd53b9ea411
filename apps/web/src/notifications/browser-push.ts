/** Whether this window can receive Web Push at all, and if not, why (to tell the user). */
export function pushSupport(): { ok: true } | { ok: false; reason: string } {
  if (!window.isSecureContext)
    return {
      ok: false,
      reason:
        'Notifications need a secure page: open baton over https (baton serve --tls, or a proxy with a certificate).',
    };
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window))
    return { ok: false, reason: 'This browser does not support Web Push notifications.' };
  return { ok: true };
}

/** The browser's current push subscription for this app, if any. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

/**
 * Subscribes this browser to the server's VAPID key. A subscription made for another key (the
 * server's keys were made anew) is dropped first: the push service would refuse its messages.
 */
export async function subscribe(publicKey: string): Promise<PushSubscription> {
  const registration = await navigator.serviceWorker.ready;
  const key = fromBase64Url(publicKey);
  const existing = await registration.pushManager.getSubscription();
  if (existing) {
    const current = existing.options.applicationServerKey;
    if (current && sameBytes(new Uint8Array(current), key)) return existing;
    await existing.unsubscribe();
  }
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const out = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
