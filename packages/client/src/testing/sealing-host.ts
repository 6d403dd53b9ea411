import {
  CounterGuard,
  DeviceRegistry,
  KeyRing,
  generateDeviceIdentity,
  rotateSessionKey,
  sealEnvelope,
  signRoster,
  wrapToDevices,
  type DeviceIdentity,
  type WrappedSessionKey,
} from '@baton/seal';
import type { SessionKeys } from '../sealing/session-sealing.js';

const text = (s: string) => new TextEncoder().encode(s);

/**
 * A host played with @baton/seal's real crypto, for the client's tests: it signs rosters,
 * makes and wraps session keys, and seals its events exactly as docs/protocol.md says (id
 * `o<n>.<i>`, counter (n − 1) · 1000 + i + 1). Tests then do to what it made whatever a
 * dishonest relay could.
 */
export class SealingHost {
  readonly registry = new DeviceRegistry();
  readonly ring = new KeyRing();
  readonly counters = new CounterGuard();
  rosterVersion = 0;
  roster: unknown = null;
  wrapped: WrappedSessionKey[] = [];
  out = 0;
  private constructor(readonly identity: DeviceIdentity) {
    this.registry.add(identity.publicKeys);
  }
  static async make(): Promise<SealingHost> {
    return new SealingHost(await generateDeviceIdentity('h_host', { extractable: true }));
  }
  async publish(): Promise<void> {
    this.roster = await signRoster(this.identity, this.registry, ++this.rosterVersion);
  }
  async startSession(sessionId: string): Promise<void> {
    const key = await rotateSessionKey(this.ring, sessionId);
    this.wrapped.push(...(await wrapToDevices(this.identity, key, this.registry.active())));
  }
  /** One out of `events`, sealed as the contract says: id o<n>.<i>, counter (n−1)·1000+i+1. */
  async sealOut(sessionId: string, events: Array<{ type: string; data: unknown }>) {
    const n = ++this.out;
    return Promise.all(
      events.map(async (e, i) => ({
        type: e.type,
        data: {
          sealed: await sealEnvelope({
            identity: this.identity,
            sessionKey: this.ring.current(sessionId)!,
            kind: 'event',
            id: `o${n}.${i}`,
            counter: (n - 1) * 1000 + i + 1,
            plaintext: text(JSON.stringify(e.data)),
          }),
        },
      })),
    );
  }
  keysFor(deviceId: string): SessionKeys {
    return { roster: this.roster, wrapped: this.wrapped.filter((w) => w.recipient === deviceId) };
  }
}
