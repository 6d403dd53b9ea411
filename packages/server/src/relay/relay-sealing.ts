import {
  isSealedLogEvent,
  sealedEventId,
  snapshotEnvelopeId,
  type HostKeys,
  type IntroductionShape,
  type SealedInputPayload,
  type SessionKeysResponse,
  type SessionSealing,
} from '@baton/protocol';
import {
  DeviceRegistry,
  SealError,
  WrappedSessionKey,
  applyRoster,
  verifyAttachment,
  verifyEnvelope,
  type SignedRoster,
} from '@baton/seal';
import { BatonError } from '../baton-error.js';
import type { Logger } from '../logger.js';
import type { SealGate } from '../hub/seal-gate.js';
import type { Store } from '../storage/store.js';
import { LinkClosed, type HostLink } from './host-link.js';

/** Meta rows: per host, whether it seals and its newest roster; introductions not yet taken. */
const SEALING_META_KEY = 'relay.sealing';
const INTRODUCTIONS_META_KEY = 'relay.introductions';

interface HostSealingState {
  sealed: boolean;
  keys: HostKeys;
  roster: SignedRoster | null;
  /** Rebuilt from the pinned keys and the roster; not stored. */
  registry: DeviceRegistry;
  rosterVersion: number;
}

/** An introduction waiting for its host (kept across restarts until the host answered). */
export interface PendingIntroduction {
  hostId: string;
  deviceId: string;
  code?: string;
  introduction: IntroductionShape;
}

/**
 * What a relay knows of sealed sessions (docs/protocol.md, "Sealed sessions"), public keys only:
 * which hosts seal, each host's pinned keys and newest signed roster (a DeviceRegistry built
 * from them verifies every author), and the session keys hosts wrapped to devices, which only
 * the addressed device can open. It verifies envelopes before anything is stored and never
 * opens one.
 */
export class RelaySealing implements SealGate {
  private readonly hosts = new Map<string, HostSealingState>();
  /** Wrapped keys by session, then by recipient: every epoch. */
  private readonly wraps = new Map<string, Map<string, WrappedSessionKey[]>>();
  private readonly epochs = new Map<string, number>();
  private introductions: PendingIntroduction[] = [];
  private readonly listeners: ((hostId: string, sessionId?: string) => void)[] = [];
  private readonly delivering = new Set<PendingIntroduction>();

  private constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  static async open(store: Store, log: Logger): Promise<RelaySealing> {
    const sealing = new RelaySealing(store, log);
    const raw = await store.getMeta(SEALING_META_KEY);
    if (raw !== undefined) {
      try {
        const saved = JSON.parse(raw) as Record<
          string,
          { sealed: boolean; keys: HostKeys; roster: SignedRoster | null }
        >;
        for (const [hostId, h] of Object.entries(saved)) {
          const state = sealing.fresh(hostId, h.sealed, h.keys);
          if (h.roster) await sealing.applyTo(hostId, state, h.roster);
        }
      } catch (err) {
        log.warn('the relay sealing record is unreadable; hosts publish their rosters again', {
          error: (err as Error).message,
        });
      }
    }
    for (const row of await store.listSealedKeys()) {
      const parsed = WrappedSessionKey.safeParse(JSON.parse(row.body));
      if (parsed.success) sealing.remember(row.sessionId, parsed.data);
    }
    const intros = await store.getMeta(INTRODUCTIONS_META_KEY);
    if (intros !== undefined) {
      try {
        sealing.introductions = JSON.parse(intros) as PendingIntroduction[];
      } catch {
        log.warn('the pending device introductions are unreadable; devices introduce again');
      }
    }
    return sealing;
  }

  /** Called with a host (and a session when only it changed) whose sealing changed. */
  onChange(listener: (hostId: string, sessionId?: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * A host's link was accepted: whether it seals (its hello), with its pinned keys. A host that
   * seals keeps its roster; one that turned to --plaintext drops it. Synchronous (the record is
   * saved in the background) so that the link's handlers are in place before its next frame.
   */
  hostConnected(hostId: string, sealed: boolean, keys: HostKeys): void {
    const known = this.hosts.get(hostId);
    if (known && known.sealed === sealed) return;
    this.fresh(hostId, sealed, keys);
    this.save().catch((err: unknown) =>
      this.log.warn('could not record a host sealing', { error: (err as Error).message }),
    );
    this.changed(hostId);
  }

  /**
   * Sends a host its pending introductions and the revocations its roster lacks (devices the
   * relay's owner revoked while it was away, or just now). Each is dropped once the host
   * answered; a lost link keeps it for the next one.
   */
  deliver(link: HostLink, isRevoked: (deviceId: string) => boolean): void {
    const host = this.hosts.get(link.hostId);
    if (!host?.sealed) return;
    for (const intro of this.pendingFor(link.hostId)) {
      if (this.delivering.has(intro)) continue;
      this.delivering.add(intro);
      link
        .request({
          type: 'intro',
          deviceId: intro.deviceId,
          ...(intro.code !== undefined ? { code: intro.code } : {}),
          introduction: intro.introduction,
        })
        .then(
          () => this.taken(intro),
          (err: unknown) => {
            if (err instanceof LinkClosed) return;
            this.log.warn('a host refused a device introduction', {
              device: intro.deviceId,
              error: (err as Error).message,
            });
            return this.taken(intro);
          },
        )
        .catch((err: unknown) =>
          this.log.warn('could not record a delivered introduction', {
            error: (err as Error).message,
          }),
        )
        .finally(() => this.delivering.delete(intro));
    }
    const roster = host.roster;
    if (!roster) return;
    const revoked = new Set(roster.revoked.map((r) => r.deviceId));
    for (const d of roster.devices) {
      if (d.deviceId === link.hostId || revoked.has(d.deviceId) || !isRevoked(d.deviceId)) continue;
      link.request({ type: 'device.revoked', deviceId: d.deviceId }).catch((err: unknown) => {
        if (!(err instanceof LinkClosed))
          this.log.warn('a host did not revoke a device', {
            device: d.deviceId,
            error: (err as Error).message,
          });
      });
    }
  }

  isSealingHost(hostId: string): boolean {
    return this.hosts.get(hostId)?.sealed ?? false;
  }

  describe(sessionId: string, hostId: string): SessionSealing | undefined {
    if (!this.isSealingHost(hostId)) return undefined;
    return { hostId, keyEpoch: this.epochs.get(sessionId) ?? 0 };
  }

  /** A host's roster: applied when signed by its pinned key and newer than the one held. */
  async roster(hostId: string, roster: unknown): Promise<void> {
    const state = this.sealingHost(hostId);
    // A host sends its newest roster after every welcome: one not newer than what is held is
    // the same one again (or older), and changes nothing.
    const version = (roster as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && version <= state.rosterVersion) return;
    await this.applyTo(hostId, state, roster);
    await this.save();
    this.changed(hostId);
  }

  /**
   * Keys a host wrapped to devices of one session. Stored as given: each names this host as
   * wrapper and this session; only the recipient can open (and check the host's signature on)
   * it, so the relay checks the shape and the place alone.
   */
  async keys(hostId: string, sessionId: string, wrapped: readonly unknown[]): Promise<void> {
    this.sealingHost(hostId);
    const rows = [];
    for (const w of wrapped) {
      const parsed = WrappedSessionKey.safeParse(w);
      if (!parsed.success) throw new SealError('malformed', 'not a wrapped session key');
      const key = parsed.data;
      if (key.wrapper !== hostId || key.session !== sessionId)
        throw new SealError(
          'context_mismatch',
          `a wrapped key for ${key.session} by ${key.wrapper} in a keys frame of ${sessionId} by ${hostId}`,
        );
      rows.push({
        sessionId,
        recipient: key.recipient,
        keyEpoch: key.keyEpoch,
        body: JSON.stringify(key),
      });
    }
    await this.store.putSealedKeys(rows);
    const before = this.epochs.get(sessionId) ?? 0;
    for (const row of rows) this.remember(sessionId, JSON.parse(row.body) as WrappedSessionKey);
    if ((this.epochs.get(sessionId) ?? 0) !== before) this.changed(hostId, sessionId);
  }

  /** `GET /api/sessions/{id}/keys` for a device: undefined when the session is not sealed. */
  keysFor(sessionId: string, hostId: string, deviceId: string): SessionKeysResponse | undefined {
    const host = this.hosts.get(hostId);
    if (!host?.sealed) return undefined;
    return {
      roster: host.roster,
      wrapped: [...(this.wraps.get(sessionId)?.get(deviceId) ?? [])],
    };
  }

  async verifyInput(
    sessionId: string,
    hostId: string,
    deviceId: string,
    inputId: string,
    payload: SealedInputPayload,
  ): Promise<void> {
    try {
      const registry = this.sealingHost(hostId).registry;
      await verifyEnvelope(
        payload.sealed,
        { session: sessionId, kind: 'input', id: inputId, author: deviceId },
        registry,
      );
    } catch (err) {
      throw refused('input', err);
    }
  }

  /**
   * Checks a sealed upload before it is stored (docs/protocol.md, "Sealed attachments"): an
   * envelope of kind `attachment` for this session, by the uploading device, signed by a device
   * of the host's roster not revoked at its counter. Rejects with `invalid_message`.
   */
  async verifyAttachment(
    sessionId: string,
    hostId: string,
    deviceId: string,
    body: Uint8Array,
  ): Promise<void> {
    try {
      await verifyAttachment(
        body,
        { session: sessionId, author: deviceId },
        this.sealingHost(hostId).registry,
      );
    } catch (err) {
      throw refused('attachment', err);
    }
  }

  /**
   * Verifies a sealed host's `out` n: every event's body is an envelope of this host, for this
   * session, with id `o<n>.<i>.<type>`. Status outs carry no body. Undefined when it is the host's;
   * otherwise why it is refused.
   */
  async checkOut(
    hostId: string,
    sessionId: string,
    n: number,
    events: readonly { type: string; data?: unknown }[],
  ): Promise<string | undefined> {
    const registry = this.sealingHost(hostId).registry;
    for (const [i, event] of events.entries()) {
      const probe = { seq: 1, ts: 0, type: event.type, data: event.data } as Parameters<
        typeof isSealedLogEvent
      >[0];
      if (!isSealedLogEvent(probe))
        return `out ${n} of ${sessionId} holds a '${event.type}' event in the clear, in a sealed session`;
      try {
        await verifyEnvelope(
          (event.data as { sealed: unknown }).sealed,
          {
            session: sessionId,
            kind: 'event',
            id: sealedEventId(n, i, event.type),
            author: hostId,
          },
          registry,
        );
      } catch (err) {
        return `out ${n} of ${sessionId}, event ${i}: ${sealText(err)}`;
      }
    }
    return undefined;
  }

  /**
   * Verifies a host's sealed snapshot of a session at `seq`: an envelope of kind `snapshot`, id
   * `snap.<seq>`, by this host, for this session. Undefined when it is the host's; otherwise
   * why it is refused.
   */
  async checkSnapshot(
    hostId: string,
    sessionId: string,
    seq: number,
    sealed: unknown,
  ): Promise<string | undefined> {
    try {
      await verifyEnvelope(
        sealed,
        { session: sessionId, kind: 'snapshot', id: snapshotEnvelopeId(seq), author: hostId },
        this.sealingHost(hostId).registry,
      );
      return undefined;
    } catch (err) {
      return `the snapshot of ${sessionId} at ${seq}: ${sealText(err)}`;
    }
  }

  /** Verifies a sealed stream fragment; undefined when it is the host's. */
  async checkStream(
    hostId: string,
    sessionId: string,
    messageId: string,
    delta: string,
    sealed: unknown,
  ): Promise<string | undefined> {
    if (sealed === undefined || delta !== '')
      return `a stream fragment of ${sessionId} in the clear, in a sealed session`;
    const envelope = sealed as { id?: unknown };
    const id = typeof envelope.id === 'string' ? envelope.id : '';
    if (!id.startsWith(`s.${messageId}.`))
      return `a stream fragment of message ${messageId} sealed as ${id}`;
    try {
      await verifyEnvelope(
        sealed,
        { session: sessionId, kind: 'event', id, author: hostId },
        this.sealingHost(hostId).registry,
      );
      return undefined;
    } catch (err) {
      return `a stream fragment of ${sessionId}: ${sealText(err)}`;
    }
  }

  // ---- introductions -----------------------------------------------------------------------

  /** Keeps an introduction until its host took it (`taken`). */
  async introduce(intro: PendingIntroduction): Promise<void> {
    this.introductions = this.introductions.filter(
      (i) => !(i.hostId === intro.hostId && i.deviceId === intro.deviceId),
    );
    this.introductions.push(intro);
    await this.saveIntroductions();
  }

  pendingFor(hostId: string): PendingIntroduction[] {
    return this.introductions.filter((i) => i.hostId === hostId);
  }

  async taken(intro: PendingIntroduction): Promise<void> {
    this.introductions = this.introductions.filter((i) => i !== intro);
    await this.saveIntroductions();
  }

  // ---- state -------------------------------------------------------------------------------

  private fresh(hostId: string, sealed: boolean, keys: HostKeys): HostSealingState {
    const registry = new DeviceRegistry();
    registry.add({ deviceId: hostId, ...keys });
    const state: HostSealingState = { sealed, keys, roster: null, registry, rosterVersion: 0 };
    this.hosts.set(hostId, state);
    return state;
  }

  private async applyTo(hostId: string, state: HostSealingState, roster: unknown): Promise<void> {
    state.rosterVersion = await applyRoster(state.registry, roster, {
      host: { deviceId: hostId, ...state.keys },
      appliedVersion: state.rosterVersion,
    });
    state.roster = roster as SignedRoster;
  }

  private sealingHost(hostId: string): HostSealingState {
    const state = this.hosts.get(hostId);
    if (!state?.sealed)
      throw new SealError('unknown_device', `host ${hostId} does not seal its sessions`);
    return state;
  }

  private remember(sessionId: string, key: WrappedSessionKey): void {
    let byRecipient = this.wraps.get(sessionId);
    if (!byRecipient) this.wraps.set(sessionId, (byRecipient = new Map()));
    const list = (byRecipient.get(key.recipient) ?? []).filter((k) => k.keyEpoch !== key.keyEpoch);
    list.push(key);
    list.sort((a, b) => a.keyEpoch - b.keyEpoch);
    byRecipient.set(key.recipient, list);
    this.epochs.set(sessionId, Math.max(this.epochs.get(sessionId) ?? 0, key.keyEpoch));
  }

  private save(): Promise<void> {
    const out: Record<string, { sealed: boolean; keys: HostKeys; roster: SignedRoster | null }> =
      {};
    for (const [hostId, h] of this.hosts)
      out[hostId] = { sealed: h.sealed, keys: h.keys, roster: h.roster };
    return this.store.setMeta(SEALING_META_KEY, JSON.stringify(out));
  }

  private saveIntroductions(): Promise<void> {
    return this.store.setMeta(INTRODUCTIONS_META_KEY, JSON.stringify(this.introductions));
  }

  private changed(hostId: string, sessionId?: string): void {
    for (const l of this.listeners) {
      try {
        l(hostId, sessionId);
      } catch (err) {
        this.log.error('a sealing listener failed', { error: (err as Error).message });
      }
    }
  }
}

function sealText(err: unknown): string {
  return err instanceof SealError ? `${err.code}: ${err.message}` : (err as Error).message;
}

/** A refused envelope from a device: `invalid_message`, naming why (docs/protocol.md). */
function refused(what: string, err: unknown): BatonError {
  return new BatonError('invalid_message', `the sealed ${what} was refused: ${sealText(err)}`);
}
