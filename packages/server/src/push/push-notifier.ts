import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import webpush from 'web-push';
import type { CommittedEvent } from '../hub/event-frame.js';
import type { LiveSession } from '../hub/live-session.js';
import type { Logger } from '../logger.js';
import { pushMessageFor, type PushMessage } from './push-message.js';
import type { PushSent } from './push-options.js';
import type { PushSubscriptions, PushTarget } from './push-subscriptions.js';
import type { VapidKeys } from './vapid-keys.js';

export interface PushNotifierDeps {
  subscriptions: PushSubscriptions;
  vapid: VapidKeys;
  subject: string;
  /** Extra CA certificates for push endpoints (PushOptions.ca). */
  ca?: string;
  /** The device's role on the session now; undefined when it may not see it. */
  roleOn(deviceId: string, sessionId: string): unknown;
  /** One of the device's connections shows the session (subscribed, page visible). */
  isLooking(deviceId: string, sessionId: string): boolean;
  log: Logger;
  onPushSent?(sent: PushSent): void;
}

/** How long a push service may take to answer one notification. */
const SEND_TIMEOUT_MS = 10_000;
/** A notification not delivered within this time is dropped by the push service. */
const TTL_SECONDS = 3600;

/**
 * Turns committed session events into Web Push notifications. A subscription gets one when:
 * its prefs want that kind, its device may see the session now (role and session scope, checked
 * at send time, so a revoked or narrowed device hears nothing), and its device is not looking at
 * the session (no connection of the device subscribed to it with a visible page).
 *
 * Runs inside the commit callback (SessionHubOptions.onCommitted): it decides synchronously and
 * starts the sends without waiting for them. A push service that answers 404 or 410 has dropped
 * the subscription, so it is removed; any other failure is logged and the subscription kept.
 */
export class PushNotifier {
  private readonly agent: Agent | undefined;
  private closed = false;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly deps: PushNotifierDeps) {
    this.agent = deps.ca
      ? new Agent({ ca: [...rootCertificates, deps.ca], keepAlive: true })
      : undefined;
  }

  onCommitted(session: LiveSession, events: readonly CommittedEvent[]): void {
    if (this.closed) return;
    let info;
    for (const ev of events) {
      const t = ev.event.type;
      if (t !== 'agent.permission.requested' && t !== 'agent.turn.ended' && t !== 'session.status')
        continue;
      info ??= session.info();
      const message = pushMessageFor(info, ev);
      if (!message) continue;
      for (const target of this.deps.subscriptions.wanting(message.kind)) {
        if (this.deps.roleOn(target.deviceId, session.id) === undefined) continue;
        if (this.deps.isLooking(target.deviceId, session.id)) continue;
        this.send(target, message);
      }
    }
  }

  /**
   * Resolves once every notification started so far was answered or failed. Notifications for
   * a commit are started inside its commit callback, so after a client saw an event, this
   * covers every notification that event causes.
   */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Stops sending; sends under way finish on their own (their results are only logged). */
  close(): void {
    this.closed = true;
    this.agent?.destroy();
  }

  private send(target: PushTarget, message: PushMessage): void {
    const { log } = this.deps;
    const sending = webpush
      .sendNotification({ endpoint: target.endpoint, keys: target.keys }, JSON.stringify(message), {
        vapidDetails: {
          subject: this.deps.subject,
          publicKey: this.deps.vapid.publicKey,
          privateKey: this.deps.vapid.privateKey,
        },
        TTL: TTL_SECONDS,
        urgency: message.kind === 'permission' ? 'high' : 'normal',
        timeout: SEND_TIMEOUT_MS,
        contentEncoding: 'aes128gcm',
        ...(this.agent ? { agent: this.agent } : {}),
      })
      .then(
        (result) => this.sent(target, message, result.statusCode),
        (err: unknown) => {
          const status = (err as { statusCode?: number }).statusCode;
          if (status !== undefined) this.sent(target, message, status);
          if (status === 404 || status === 410) {
            if (this.closed) return;
            log.info('a push subscription is gone; removing it', {
              subscription: target.id,
              device: target.deviceId,
              status,
            });
            this.deps.subscriptions.forget(target.id).catch((e: unknown) =>
              log.warn('could not remove a gone push subscription', {
                subscription: target.id,
                error: (e as Error).message,
              }),
            );
            return;
          }
          log.warn('a push notification was not delivered', {
            subscription: target.id,
            device: target.deviceId,
            kind: message.kind,
            status,
            error: (err as Error).message,
          });
        },
      )
      .finally(() => this.inflight.delete(sending));
    this.inflight.add(sending);
  }

  private sent(target: PushTarget, message: PushMessage, status: number): void {
    try {
      this.deps.onPushSent?.({
        kind: message.kind,
        sessionId: message.sessionId,
        deviceId: target.deviceId,
        status,
      });
    } catch (err) {
      this.deps.log.warn('onPushSent threw', { error: (err as Error).message });
    }
  }
}
