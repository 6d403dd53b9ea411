import { AuthorCounter, randomCounterLane, type DeviceIdentity } from '@baton/seal';
import { BatonError } from '../baton-error.js';
import { requestJson, type HttpFetch } from '../http-json.js';
import { HostTrust } from './host-trust.js';
import type { SealingStore } from './sealing-store.js';
import { SessionSealing, type SessionKeys } from './session-sealing.js';

/** Where a sealed session's keys come from: the relay's HTTP API, with this device's token. */
export interface KeySource {
  /** The relay's HTTP address, for example `https://relay.example`. */
  readonly baseUrl: string;
  readonly token: string;
  readonly fetchImpl?: HttpFetch;
}

/**
 * This device's part in sealed sessions: its identity and counters from the store, one
 * `HostTrust` per host it paired with, one `SessionSealing` per sealed session it touched.
 */
export class DeviceSealing {
  readonly #trusts = new Map<string, Promise<HostTrust>>();
  readonly #sessions = new Map<string, Promise<SessionSealing>>();

  private constructor(
    readonly identity: DeviceIdentity,
    private readonly store: SealingStore,
    private readonly own: AuthorCounter,
    private readonly keys: KeySource,
  ) {}

  /** Loads the device from its store; fails clearly when the store holds no identity. */
  static async load(store: SealingStore, keys: KeySource): Promise<DeviceSealing> {
    const identity = await store.loadIdentity();
    if (!identity) {
      throw new BatonError(
        'forbidden',
        'this device holds no keys for sealed sessions: pair it with the host by link first (baton join <link>, or pairWithHost)',
      );
    }
    // Each loaded device (a window, a process) seals in a lane of its own, so the device's
    // other windows sealing at the same time never make a reader refuse its inputs.
    const own = new AuthorCounter(await store.counters(), { lane: randomCounterLane() });
    return new DeviceSealing(identity, store, own, keys);
  }

  get deviceId(): string {
    return this.identity.deviceId;
  }

  /** The sealing of one session run by `hostId` (made once, then shared). */
  session(sessionId: string, hostId: string): Promise<SessionSealing> {
    let sealing = this.#sessions.get(sessionId);
    if (!sealing) {
      sealing = this.#trust(hostId).then(
        (trust) =>
          new SessionSealing(
            sessionId,
            trust,
            this.identity,
            this.own,
            () => this.#fetchKeys(sessionId),
            (last) => this.store.saveCounter(sessionId, last),
          ),
      );
      // A failure (host not paired) is not cached: pairing later makes it work.
      sealing.catch(() => this.#sessions.delete(sessionId));
      this.#sessions.set(sessionId, sealing);
    }
    return sealing;
  }

  /** Forgets a session (deleted): its keys leave memory. */
  forget(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }

  #trust(hostId: string): Promise<HostTrust> {
    let trust = this.#trusts.get(hostId);
    if (!trust) {
      trust = HostTrust.load(this.store, hostId).then((loaded) => {
        if (!loaded) {
          throw new BatonError(
            'forbidden',
            `this device never paired with host ${hostId}: its sessions are sealed with keys it does not hold (pair with the host by its link)`,
          );
        }
        return loaded;
      });
      trust.catch(() => this.#trusts.delete(hostId));
      this.#trusts.set(hostId, trust);
    }
    return trust;
  }

  async #fetchKeys(sessionId: string): Promise<SessionKeys> {
    const answer = (await requestJson(
      this.keys.baseUrl,
      'GET',
      `/api/sessions/${encodeURIComponent(sessionId)}/keys`,
      {
        token: this.keys.token,
        ...(this.keys.fetchImpl ? { fetchImpl: this.keys.fetchImpl } : {}),
      },
    )) as Partial<SessionKeys> | null;
    if (!answer || !Array.isArray(answer.wrapped)) {
      throw new BatonError(
        'bad_reply',
        `GET /api/sessions/${sessionId}/keys did not answer { roster, wrapped }`,
      );
    }
    return { roster: answer.roster ?? null, wrapped: answer.wrapped };
  }
}
