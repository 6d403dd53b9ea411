import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  InputPayload,
  isSealedPayload,
  sealedEventCounter,
  sealedEventId,
  sealedEventIdOf,
  snapshotCounter,
  snapshotEnvelopeId,
  type LogEvent,
  SealedSnapshotBody,
} from '@baton/protocol';
import {
  CounterGuard,
  DeviceRegistry,
  KeyRing,
  SealError,
  acceptIntroduction,
  fromBase64url,
  importSessionKey,
  openAttachment,
  openEnvelope,
  revokeDevice,
  rotateSessionKey,
  sealEnvelope,
  signRoster,
  toBase64url,
  wrapSessionKey,
  wrapToDevices,
  type DeviceIdentity,
  type DevicePublicKeys,
  type SealedEnvelope,
  type SignedRoster,
  type WrappedSessionKey,
} from '@baton/seal';
import { RunnerError, type InputEvent } from '../runners/runner.js';
import type { HostIdentity } from './host-identity.js';
import { PendingPairings } from './pending-pairings.js';
import { readPrivateJson } from './private-file.js';

/** The host's sealing state in its data directory (mode 0600: it holds raw session keys). */
export const SEALING_FILE = 'host-sealing.json';

interface Saved {
  v: 1;
  /** The host's id on its relay (for `baton host pair`, which runs beside the host). */
  hostId?: string;
  rosterVersion: number;
  /** Every device introduced to this host (the host itself is not listed). */
  devices: DevicePublicKeys[];
  /** Revoked devices' cut-offs, per session. */
  revoked: Record<string, Record<string, number>>;
  /**
   * Per revoked device, per session: the seq of the last input the host had opened or its runner
   * had taken when it revoked the device. The device's inputs after it are never run nor read.
   */
  revokedAfter?: Record<string, Record<string, number>>;
  /** Raw session keys, base64url, per session per epoch. */
  keys: Record<string, Record<string, string>>;
  /**
   * The highest input counter accepted per session per device lane (the host's CounterGuard,
   * as `CounterGuard.entries` keys them: the device id, `<device id>#<lane>`, `<device id>#*`).
   */
  counters: Record<string, Record<string, number>>;
}

/** What the host publishes after a change of its devices: the roster and the new wraps. */
export interface Publication {
  roster: SignedRoster;
  wrapped: Map<string, WrappedSessionKey[]>;
}

const text = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A sealing host's keys and devices (docs/protocol.md, "Sealed sessions"): the devices paired
 * with it by link (a DeviceRegistry), each session's key epochs (a KeyRing), the counters it
 * accepted from each device (a CounterGuard), and the signed roster it publishes. It seals what
 * the host's runners make and opens what devices send, so that the relay in between stores and
 * forwards only envelopes.
 *
 * Invariant: every change is written (whole, then renamed into place) before anything that
 * depends on it leaves the host: a key before it is wrapped or used, a counter before the input
 * it accepted reaches a runner, a device before the roster naming it. A host restarted at any
 * point never reuses a counter's acceptance or loses a key it already handed out.
 */
export class HostSealing {
  private readonly registry = new DeviceRegistry();
  private readonly ring = new KeyRing();
  private readonly counters = new CounterGuard();
  private rosterVersion: number;
  private readonly file: string;
  private readonly pending: PendingPairings;
  private identity: DeviceIdentity | undefined;
  private bound: Promise<DeviceIdentity>;
  private resolveBound!: (identity: DeviceIdentity) => void;
  /** Stream fragments sealed per message (k), volatile. */
  private readonly streamCounters = new Map<string, number>();
  /** Inputs opened and not yet taken by a runner, by session and seq: a resend reuses them. */
  private readonly openedInputs = new Map<string, InputPayload>();

  private constructor(
    dataDir: string,
    private readonly hostIdentity: HostIdentity,
    private readonly saved: Saved,
  ) {
    this.file = join(dataDir, SEALING_FILE);
    this.pending = new PendingPairings(dataDir);
    this.rosterVersion = saved.rosterVersion;
    this.bound = new Promise((resolve) => (this.resolveBound = resolve));
  }

  static async load(dataDir: string, identity: HostIdentity): Promise<HostSealing> {
    const saved = readPrivateJson<Saved>(join(dataDir, SEALING_FILE)) ?? {
      v: 1,
      rosterVersion: 0,
      devices: [],
      revoked: {},
      keys: {},
      counters: {},
    };
    const sealing = new HostSealing(dataDir, identity, saved);
    for (const d of saved.devices) sealing.registry.add(d);
    for (const [deviceId, cutoffs] of Object.entries(saved.revoked))
      sealing.registry.revoke(deviceId, { cutoffs });
    for (const [sessionId, epochs] of Object.entries(saved.keys))
      for (const [epoch, raw] of Object.entries(epochs))
        sealing.ring.add(
          await importSessionKey(sessionId, Number(epoch), fromBase64url(raw)!, true),
        );
    for (const [sessionId, lanes] of Object.entries(saved.counters))
      sealing.counters.restore(sessionId, lanes);
    return sealing;
  }

  /**
   * The relay welcomed the host as `hostId` (its grant's device id): from now on it seals as
   * that device. Called at every welcome; the id of a data directory's host never changes.
   */
  async bind(hostId: string): Promise<void> {
    if (this.identity) return;
    const identity = await this.hostIdentity.asDevice(hostId);
    this.registry.add(identity.publicKeys);
    this.identity = identity;
    if (this.saved.hostId !== hostId) {
      this.saved.hostId = hostId;
      this.save();
    }
    this.resolveBound(identity);
  }

  /** The newest signed roster (signed again on demand: Ed25519 is deterministic). */
  async roster(): Promise<SignedRoster> {
    const host = await this.bound;
    if (this.rosterVersion === 0) {
      this.rosterVersion = 1;
      this.save();
    }
    return signRoster(host, this.registry, this.rosterVersion);
  }

  /**
   * The session's key (epoch 1 made at its first start) wrapped to every device paired now:
   * sent before the session's first sealed output.
   */
  async ensureSession(sessionId: string): Promise<WrappedSessionKey[]> {
    const host = await this.bound;
    let key = this.ring.current(sessionId);
    if (!key) {
      key = await rotateSessionKey(this.ring, sessionId);
      await this.saveKeys();
    }
    return wrapToDevices(host, key, this.registry.active());
  }

  /** The newest key epoch of a session (0 before its first start). */
  epochOf(sessionId: string): number {
    return this.ring.current(sessionId)?.epoch ?? 0;
  }

  /** Seals each event's data of `out` n: `{sealed}` with id `o<n>.<i>.<type>`. */
  async sealOut(
    sessionId: string,
    n: number,
    events: readonly { type: string; data?: unknown }[],
  ): Promise<{ type: string; data: { sealed: SealedEnvelope } }[]> {
    const host = await this.bound;
    const key = this.ring.current(sessionId);
    if (!key) throw new Error(`session ${sessionId} has no key: it was not started`);
    if (events.length > 1000) throw new RangeError('an out holds at most 1000 events');
    return Promise.all(
      events.map(async (event, i) => ({
        type: event.type,
        data: {
          sealed: await sealEnvelope({
            identity: host,
            sessionKey: key,
            kind: 'event',
            id: sealedEventId(n, i, event.type),
            counter: sealedEventCounter(n, i),
            plaintext: text.encode(JSON.stringify(event.data ?? null)),
          }),
        },
      })),
    );
  }

  /** Seals a streaming fragment: id `s.<messageId>.<k>`, counter k. */
  async sealStream(sessionId: string, messageId: string, delta: string): Promise<SealedEnvelope> {
    const host = await this.bound;
    const key = this.ring.current(sessionId);
    if (!key) throw new Error(`session ${sessionId} has no key: it was not started`);
    const slot = `${sessionId}\u0000${messageId}`;
    const k = (this.streamCounters.get(slot) ?? 0) + 1;
    this.streamCounters.set(slot, k);
    return sealEnvelope({
      identity: host,
      sessionKey: key,
      kind: 'event',
      id: `s.${messageId}.${k}`,
      counter: k,
      plaintext: text.encode(delta),
    });
  }

  /**
   * Seals a projection's state at `seq` as the session's snapshot: kind `snapshot`, id
   * `snap.<seq>`, counter 2^52 + seq (a space of its own, see `snapshotCounter`), under the
   * session's current key. The body is a `SealedSnapshotBody`, its runner state given as the
   * projection's UTF-8 JSON (see Projection.snapshotJson).
   */
  async sealSnapshot(
    sessionId: string,
    seq: number,
    runner: readonly Buffer[],
    counters: SealedSnapshotBody['counters'],
  ): Promise<SealedEnvelope> {
    const host = await this.bound;
    const key = this.ring.current(sessionId);
    if (!key) throw new Error(`session ${sessionId} has no key: it was not started`);
    return sealEnvelope({
      identity: host,
      sessionKey: key,
      kind: 'snapshot',
      id: snapshotEnvelopeId(seq),
      counter: snapshotCounter(seq),
      plaintext: Buffer.concat([
        Buffer.from('{"runner":'),
        ...runner,
        Buffer.from(`,"counters":${JSON.stringify(counters)}}`),
      ]),
    });
  }

  /**
   * Opens a snapshot this host sealed earlier (read back from the relay after a restart): its
   * seq comes from its id, which the signature binds. Undefined when it is not this host's or
   * does not open.
   */
  async openSnapshot(
    sessionId: string,
    sealed: unknown,
  ): Promise<({ seq: number } & SealedSnapshotBody) | undefined> {
    const host = await this.bound;
    const named = (sealed as { id?: unknown } | null)?.id;
    const id = typeof named === 'string' ? named : '';
    const match = /^snap\.(\d+)$/.exec(id);
    if (!match) return undefined;
    try {
      const opened = await openEnvelope(
        sealed,
        { session: sessionId, kind: 'snapshot', id, author: host.deviceId },
        { registry: this.registry, keyRing: this.ring, counters: new CounterGuard() },
      );
      const body = SealedSnapshotBody.safeParse(parseJson(opened.plaintext));
      if (!body.success) return undefined;
      return { seq: Number(match[1]), ...body.data };
    } catch {
      return undefined;
    }
  }

  /**
   * Opens a sealed input the relay handed over: its author is the device the event names, its
   * id the input id, its counter above the last one accepted from that device's lane in the
   * session, its device not revoked,
   * and it decrypts under the session key. The plaintext must be an input payload of the kind
   * shown in the clear. Anything else is refused with a RunnerError and never reaches a runner.
   */
  async openInput(sessionId: string, event: InputEvent): Promise<InputEvent> {
    const payload = event.data.payload as unknown as Parameters<typeof isSealedPayload>[0];
    if (!isSealedPayload(payload))
      throw new RunnerError(
        'bad_request',
        'this host seals its sessions: a plaintext input is refused (the relay should have refused it)',
      );
    const slot = `${sessionId}\u0000${event.seq}`;
    let plain = this.openedInputs.get(slot);
    if (!plain) {
      await this.bound;
      // Nothing new from a revoked device reaches a runner, whatever its counter: its cut-off
      // is the highest counter over all its lanes, so a lane it used little (or never) has room
      // below the cut-off that only its keys, stolen, could fill. What it typed before the
      // revocation was run then; an input of it not opened yet at the revocation is dropped.
      this.refuseRevoked(event.data.deviceId);
      let opened;
      try {
        opened = await openEnvelope(
          payload.sealed,
          {
            session: sessionId,
            kind: 'input',
            id: event.data.inputId,
            author: event.data.deviceId,
          },
          { registry: this.registry, keyRing: this.ring, counters: this.counters },
        );
      } catch (err) {
        throw new RunnerError('bad_request', `the sealed input was refused: ${sealMessage(err)}`);
      }
      const parsed = InputPayload.safeParse(parseJson(opened.plaintext));
      if (!parsed.success || parsed.data.kind !== payload.kind)
        throw new RunnerError(
          'bad_request',
          `the sealed input does not hold a ${payload.kind} input payload`,
        );
      // Opening awaited WebCrypto: a revocation may have landed meanwhile (its cut-off then
      // did not count this input).
      this.refuseRevoked(event.data.deviceId);
      plain = parsed.data;
      this.saveCounters();
      this.openedInputs.set(slot, plain);
    }
    return { ...event, data: { ...event.data, payload: plain } };
  }

  /**
   * Opens a sealed attachment the relay served (docs/protocol.md, "Sealed attachments"): an
   * envelope of kind `attachment` for this session by a device of this host's registry, under
   * any epoch the host holds. Throws a RunnerError naming the seal error.
   */
  async openAttachment(sessionId: string, body: Uint8Array): Promise<Uint8Array> {
    await this.bound;
    try {
      const opened = await openAttachment(body, sessionId, {
        registry: this.registry,
        keyRing: this.ring,
      });
      return opened.plaintext;
    } catch (err) {
      throw new RunnerError(
        'bad_request',
        `the sealed attachment was refused: ${sealMessage(err)}`,
      );
    }
  }

  private refuseRevoked(deviceId: string): void {
    if (this.registry.isRevoked(deviceId))
      throw new RunnerError(
        'bad_request',
        `the sealed input was refused: its device ${deviceId} was revoked`,
      );
  }

  /** The input at `seq` was taken by the runner: its opened form is no longer kept. */
  taken(sessionId: string, seq: number): void {
    this.openedInputs.delete(`${sessionId}\u0000${seq}`);
  }

  /**
   * Opens stored events for a runner's read (an agent resuming): the host's own events and its
   * devices' inputs. History is not counter-checked (it is read again after every restart);
   * an event that fails to open is left out, with the rest going on.
   */
  async openStored(sessionId: string, events: readonly LogEvent[]): Promise<LogEvent[]> {
    const host = await this.bound;
    const out: LogEvent[] = [];
    for (const e of events) {
      try {
        out.push(await this.openOne(sessionId, host.deviceId, e));
      } catch {
        // Not content this host can vouch for: the runner does not see it.
      }
    }
    return out;
  }

  private async openOne(sessionId: string, hostId: string, e: LogEvent): Promise<LogEvent> {
    const data = e.data as unknown;
    const history = { registry: this.registry, keyRing: this.ring, counters: new CounterGuard() };
    if (e.type === 'input') {
      const payload = e.data.payload;
      if (!isSealedPayload(payload)) return e;
      // A revoked device's input that was not run before its revocation is not read either
      // (an agent resuming would otherwise take it as a message still to answer).
      const after = this.saved.revokedAfter?.[e.data.deviceId];
      if (after && e.seq > (after[sessionId] ?? 0))
        throw new RunnerError('bad_request', 'an input of a revoked device, after it was revoked');
      const opened = await openEnvelope(
        payload.sealed,
        { session: sessionId, kind: 'input', id: e.data.inputId, author: e.data.deviceId },
        history,
      );
      return {
        ...e,
        data: { ...e.data, payload: InputPayload.parse(parseJson(opened.plaintext)) },
      };
    }
    if (typeof data === 'object' && data !== null && 'sealed' in data) {
      const sealed = (data as { sealed: { counter?: unknown } }).sealed;
      // The id the event's counter and clear type call for: a relabelled event does not open.
      const counter = typeof sealed.counter === 'number' ? sealed.counter : 0;
      const opened = await openEnvelope(
        sealed,
        {
          session: sessionId,
          kind: 'event',
          id: counter >= 1 ? sealedEventIdOf(counter, e.type) : '?',
          author: hostId,
        },
        history,
      );
      return { ...e, data: parseJson(opened.plaintext) } as LogEvent;
    }
    return e;
  }

  /**
   * A device that redeemed this host's pairing code `code` introduces its keys: checked with the
   * code's pairing secret, registered, and answered with a new roster and every session key
   * (all epochs, so it reads the history) wrapped to it.
   */
  async introduce(
    code: string | undefined,
    deviceId: string,
    introduction: unknown,
  ): Promise<Publication> {
    const host = await this.bound;
    // Readers refuse envelopes of an author whose id has a '#' (CounterGuard): such a device
    // could pair and then have every input refused. No relay makes one; this says so at once.
    if (deviceId.includes('#'))
      throw new RunnerError('bad_request', `the device id ${deviceId} has a '#': no device id has`);
    // Without the code, each pending secret is tried: only the link's own secret makes its MAC.
    const candidates = this.pending.list().filter((p) => code === undefined || p.code === code);
    if (candidates.length === 0)
      throw new RunnerError(
        'not_found',
        `this host holds no pending pairing${code !== undefined ? ` ${code}` : ''}: it expired or was used; run baton host pair again`,
      );
    let keys: DevicePublicKeys | undefined;
    let used = '';
    let why: unknown;
    for (const candidate of candidates) {
      try {
        keys = await acceptIntroduction(introduction, {
          hostId: host.deviceId,
          pairingSecret: candidate.secret,
          deviceId,
        });
        used = candidate.code;
        break;
      } catch (err) {
        why = err;
      }
    }
    try {
      if (!keys) throw why;
      this.registry.add(keys);
    } catch (err) {
      throw new RunnerError('bad_request', `the introduction was refused: ${sealMessage(err)}`);
    }
    this.saved.devices = this.registry.all().filter((d) => d.deviceId !== host.deviceId);
    this.rosterVersion += 1;
    this.save();
    this.pending.remove(used);
    const wrapped = new Map<string, WrappedSessionKey[]>();
    for (const sessionId of this.ring.sessions()) {
      const list: WrappedSessionKey[] = [];
      for (const epoch of this.ring.epochs(sessionId)) {
        // A session deleted (`forgetSession`) while an earlier key was wrapped has no keys left.
        const key = this.ring.get(sessionId, epoch);
        if (key) list.push(await wrapSessionKey(host, key, keys));
      }
      if (list.length > 0) wrapped.set(sessionId, list);
    }
    return { roster: await signRoster(host, this.registry, this.rosterVersion), wrapped };
  }

  /**
   * Revokes a device: its cut-offs are what the host accepted from it so far, every session key
   * rotates, and the new epoch is wrapped to the devices that remain. Undefined for a device
   * this host never registered (nothing to rotate for).
   */
  async revoke(
    deviceId: string,
    takenSeq: (sessionId: string) => number = () => 0,
  ): Promise<Publication | undefined> {
    const host = await this.bound;
    if (
      deviceId === host.deviceId ||
      !this.registry.get(deviceId) ||
      this.registry.isRevoked(deviceId)
    )
      return undefined;
    const result = await revokeDevice({
      host,
      registry: this.registry,
      ring: this.ring,
      counters: this.counters,
      deviceId,
    });
    this.saved.revoked[deviceId] = { ...result.revocation.cutoffs };
    // An input opened is either still held for its runner (`openedInputs`) or taken.
    const after: Record<string, number> = {};
    for (const sessionId of this.ring.sessions()) after[sessionId] = takenSeq(sessionId);
    for (const slot of this.openedInputs.keys()) {
      const [sessionId, seq] = slot.split('\u0000') as [string, string];
      if (Object.hasOwn(after, sessionId))
        after[sessionId] = Math.max(after[sessionId]!, Number(seq));
    }
    this.saved.revokedAfter = { ...this.saved.revokedAfter, [deviceId]: after };
    this.rosterVersion += 1;
    await this.saveKeys();
    const wrapped = new Map<string, WrappedSessionKey[]>();
    for (const w of result.wrapped) {
      const list = wrapped.get(w.session) ?? [];
      list.push(w);
      wrapped.set(w.session, list);
    }
    for (const sessionId of this.ring.sessions())
      if (!wrapped.has(sessionId)) wrapped.set(sessionId, []);
    return { roster: await signRoster(host, this.registry, this.rosterVersion), wrapped };
  }

  /** The session was deleted: its keys and its authors' counters go, here and on disk. */
  forgetSession(sessionId: string): void {
    this.ring.drop(sessionId);
    delete this.saved.keys[sessionId];
    delete this.saved.counters[sessionId];
    for (const after of Object.values(this.saved.revokedAfter ?? {})) delete after[sessionId];
    this.save();
  }

  private async saveKeys(): Promise<void> {
    const keys: Saved['keys'] = {};
    for (const sessionId of this.ring.sessions()) {
      const epochs: Record<string, string> = {};
      for (const epoch of this.ring.epochs(sessionId)) {
        // Each export yields: a session may be deleted (`forgetSession`) meanwhile.
        const key = this.ring.get(sessionId, epoch);
        if (!key) continue;
        const raw = await globalThis.crypto.subtle.exportKey('raw', key.key);
        epochs[String(epoch)] = toBase64url(new Uint8Array(raw));
      }
      keys[sessionId] = epochs;
    }
    // Nor is a session deleted after its keys were exported above written back.
    for (const sessionId of Object.keys(keys))
      if (this.ring.epochs(sessionId).length === 0) delete keys[sessionId];
    this.saved.keys = keys;
    this.save();
  }

  private saveCounters(): void {
    const counters: Saved['counters'] = {};
    for (const sessionId of this.ring.sessions()) {
      const lanes = this.counters.entries(sessionId);
      if (Object.keys(lanes).length > 0) counters[sessionId] = lanes;
    }
    this.saved.counters = counters;
    this.save();
  }

  private save(): void {
    this.saved.rosterVersion = this.rosterVersion;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.saved), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

function sealMessage(err: unknown): string {
  return err instanceof SealError ? `${err.code}: ${err.message}` : (err as Error).message;
}
