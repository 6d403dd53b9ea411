import { HostKeys, type SessionHost } from '@baton/protocol';
import { keyFingerprint } from '@baton/seal';
import type { Store } from '../storage/store.js';
import type { Logger } from '../logger.js';
import type { HostLink } from './host-link.js';

/**
 * Where the relay keeps the hosts it has seen, so a restart lists them offline: a JSON object
 * by host id of `{name, lastSeenAt, keys, keyFingerprint}` (older relays wrote the name alone, a
 * string, and no keys). The keys are pinned here at a host's first registration under its grant
 * (its device id): a relay restart keeps them.
 */
const HOSTS_META_KEY = 'relay.hosts';

/**
 * How often the relay records "seen now" for its online hosts. A relay killed with `kill -9`
 * runs no disconnect handler, so after its restart a host it had online shows the last stamp:
 * at most this much older than the truth, never "never seen".
 */
export const LAST_SEEN_STAMP_MS = 60_000;

interface KnownHost {
  name: string;
  /**
   * When it was last seen online (ms): its link's close, or the latest stamp while it was online
   * (LAST_SEEN_STAMP_MS, and at each connect). Undefined while never recorded.
   */
  lastSeenAt?: number;
  /** The public keys pinned at its first registration with keys. */
  keys?: HostKeys;
  keyFingerprint?: string;
}

/** What pinning a host's presented keys found. */
export type PinResult = 'pinned' | 'same' | 'other';

/** A remote runner, as the directory hands it a host's link when the host comes online. */
export interface HostBound {
  readonly sessionId: string;
  /** The host's link is up (again): start or re-attach the runner, resend what waits. */
  linkUp(link: HostLink): void;
  /** The host's link went down: what waits on it waits for the next link. */
  linkDown(): void;
}

/**
 * The hosts a relay knows: every host that ever connected (kept in the store's meta table),
 * which of them is online now (its link), and the remote runners bound to each.
 *
 * Invariant: at most one link per host. A second link of the same host replaces the first, and
 * the runners of that host see `linkDown` then `linkUp` with the new one.
 */
export class HostDirectory {
  private readonly known = new Map<string, KnownHost>();
  private readonly links = new Map<string, HostLink>();
  private readonly bound = new Map<string, Map<string, HostBound>>();
  private onChangeListeners: ((hostId: string) => void)[] = [];
  private readonly stamper: NodeJS.Timeout;

  private constructor(
    private readonly store: Store,
    private readonly log: Logger,
    stampMs: number,
  ) {
    this.stamper = setInterval(() => this.stampOnline(), stampMs);
    // The stamp is bookkeeping: it must not keep a relay's process alive.
    this.stamper.unref();
  }

  static async open(
    store: Store,
    log: Logger,
    stampMs = LAST_SEEN_STAMP_MS,
  ): Promise<HostDirectory> {
    const dir = new HostDirectory(store, log, stampMs);
    const raw = await store.getMeta(HOSTS_META_KEY);
    if (raw !== undefined) {
      try {
        for (const [id, entry] of Object.entries(JSON.parse(raw) as Record<string, unknown>)) {
          const known = readKnown(entry);
          if (known) dir.known.set(id, known);
        }
      } catch {
        log.warn('the list of known hosts is unreadable; hosts are listed again as they connect');
      }
    }
    return dir;
  }

  /** Called with a host's id whenever it comes online, goes offline or is renamed. */
  onChange(listener: (hostId: string) => void): void {
    this.onChangeListeners.push(listener);
  }

  /** A host by id or by name (ids first), or undefined when none matches. */
  resolve(ref: string): string | undefined {
    if (this.known.has(ref)) return ref;
    const byName = [...this.known].filter(([, h]) => h.name === ref);
    return byName.length === 1 ? byName[0]![0] : undefined;
  }

  /** Every known host with its online state, for listings and error messages. */
  list(): SessionHost[] {
    return [...this.known].map(([id]) => this.describe(id));
  }

  /** Every known host with when it was last seen: `now` while online (GET /api/hosts). */
  listSeen(now = Date.now()): (SessionHost & { lastSeenAt: number | null })[] {
    return [...this.known].map(([id, h]) => {
      const host = this.describe(id);
      return { ...host, lastSeenAt: host.online ? now : (h.lastSeenAt ?? null) };
    });
  }

  describe(hostId: string): SessionHost {
    const known = this.known.get(hostId);
    return {
      id: hostId,
      name: known?.name ?? hostId,
      online: this.links.has(hostId),
      ...(known?.keyFingerprint !== undefined ? { keyFingerprint: known.keyFingerprint } : {}),
    };
  }

  /**
   * Checks a registering host's keys against the ones pinned under its grant, pinning them when
   * there are none yet. Synchronous on purpose: two hellos of the same grant racing each other
   * cannot both pin (the second sees the first's keys). The record is saved by `connected`.
   */
  pin(hostId: string, name: string, keys: HostKeys): PinResult {
    const known = this.known.get(hostId);
    if (known?.keys) {
      return known.keys.signingKey === keys.signingKey &&
        known.keys.agreementKey === keys.agreementKey
        ? 'same'
        : 'other';
    }
    this.known.set(hostId, { ...(known ?? { name }), keys: { ...keys } });
    return 'pinned';
  }

  /** The signing key pinned for a host, if any. */
  pinnedKeys(hostId: string): HostKeys | undefined {
    return this.known.get(hostId)?.keys;
  }

  link(hostId: string): HostLink | undefined {
    return this.links.get(hostId);
  }

  /** The links of the hosts online now. */
  onlineLinks(): HostLink[] {
    return [...this.links.values()];
  }

  /** A host's link was accepted. Returns the link it replaced, for the caller to close. */
  async connected(link: HostLink): Promise<HostLink | undefined> {
    const previous = this.links.get(link.hostId);
    if (previous) this.disconnected(previous);
    const known = this.known.get(link.hostId);
    const keyFingerprintNow =
      known?.keys && known.keyFingerprint === undefined
        ? { keyFingerprint: await keyFingerprint(known.keys.signingKey) }
        : {};
    this.known.set(link.hostId, {
      ...known,
      ...keyFingerprintNow,
      name: link.name,
      lastSeenAt: Date.now(),
    });
    await this.save();
    this.links.set(link.hostId, link);
    for (const b of [...(this.bound.get(link.hostId)?.values() ?? [])]) b.linkUp(link);
    this.changed(link.hostId);
    return previous;
  }

  /** A host's link closed (or was replaced); nothing happens if it is not the current one. */
  disconnected(link: HostLink): void {
    if (this.links.get(link.hostId) !== link) return;
    this.links.delete(link.hostId);
    const known = this.known.get(link.hostId);
    if (known) {
      known.lastSeenAt = Date.now();
      void this.save();
    }
    for (const b of [...(this.bound.get(link.hostId)?.values() ?? [])]) b.linkDown();
    this.changed(link.hostId);
  }

  /** Closes every host link (the relay shuts down; hosts reconnect to the next one). */
  closeAll(): void {
    clearInterval(this.stamper);
    for (const link of [...this.links.values()]) link.close(1001, 'relay shutting down');
  }

  /** Binds a remote runner to its host; it gets `linkUp` at once when the host is online. */
  bind(hostId: string, runner: HostBound): void {
    let of = this.bound.get(hostId);
    if (!of) this.bound.set(hostId, (of = new Map()));
    of.set(runner.sessionId, runner);
  }

  unbind(hostId: string, runner: HostBound): void {
    const of = this.bound.get(hostId);
    if (of?.get(runner.sessionId) === runner) of.delete(runner.sessionId);
  }

  /** The runner of a session on a host, if one is bound. */
  runnerOf(hostId: string, sessionId: string): HostBound | undefined {
    return this.bound.get(hostId)?.get(sessionId);
  }

  /** Records "seen now" for every online host, in one write. */
  private stampOnline(): void {
    if (this.links.size === 0) return;
    const now = Date.now();
    for (const id of this.links.keys()) {
      const known = this.known.get(id);
      if (known) known.lastSeenAt = now;
    }
    void this.save();
  }

  /** Records the known hosts; a failure is logged (they are recorded again at the next change). */
  private save(): Promise<void> {
    return this.store
      .setMeta(HOSTS_META_KEY, JSON.stringify(Object.fromEntries(this.known)))
      .catch((err: unknown) =>
        this.log.warn('could not record the known hosts', { error: (err as Error).message }),
      );
  }

  private changed(hostId: string): void {
    for (const l of this.onChangeListeners) {
      try {
        l(hostId);
      } catch (err) {
        this.log.error('a host listener failed', { error: (err as Error).message });
      }
    }
  }
}

/** One stored entry: `{name, lastSeenAt?}`, or the bare name older relays stored. */
function readKnown(entry: unknown): KnownHost | undefined {
  if (typeof entry === 'string') return { name: entry };
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { name, lastSeenAt, keys, keyFingerprint } = entry as {
    name?: unknown;
    lastSeenAt?: unknown;
    keys?: unknown;
    keyFingerprint?: unknown;
  };
  if (typeof name !== 'string') return undefined;
  const known: KnownHost = { name };
  if (typeof lastSeenAt === 'number' && Number.isFinite(lastSeenAt)) known.lastSeenAt = lastSeenAt;
  const pinned = HostKeys.safeParse(keys);
  if (pinned.success) {
    known.keys = pinned.data;
    if (typeof keyFingerprint === 'string') known.keyFingerprint = keyFingerprint;
  }
  return known;
}
