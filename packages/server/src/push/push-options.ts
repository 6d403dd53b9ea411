import type { PushKind } from '@baton/protocol';

/** `ServerOptions.push`: Web Push notifications (on unless `enabled` is false). */
export interface PushOptions {
  enabled: boolean;
  /**
   * The VAPID contact (`mailto:` or `https:` URL) push services may use to reach the operator.
   * Apple's push service refuses `localhost` contacts: set a real one for Safari and iOS.
   * Default `mailto:baton@localhost.invalid`.
   */
  subject?: string;
  /**
   * Extra CA certificates (PEM) trusted for push endpoints, besides the public roots: for a
   * self-hosted push service with a private CA (and the tests' push service on 127.0.0.1).
   * Endpoints are always https.
   */
  ca?: string;
}

/** One notification sent (for metrics): its kind and the push service's answer. */
export interface PushSent {
  kind: PushKind;
  sessionId: string;
  deviceId: string;
  /** The push service's HTTP status (201 when accepted). */
  status: number;
}
