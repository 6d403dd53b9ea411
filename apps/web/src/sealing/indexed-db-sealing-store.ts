import { SealingStoreError, type SealingStore } from '@baton/client';
import type { DeviceIdentity, DevicePublicKeys, SignedRoster } from '@baton/seal';
import { rowKey, rowsOf, transact, type Row } from '../offline/indexed-db.js';
import { logSkipped } from '../offline/storage-log.js';

const WHERE = 'the IndexedDB key store';

/**
 * This browser's keys for sealed sessions, in IndexedDB (store `sealing`), scoped to the device
 * id at the relay: one row for the identity, one per pinned host, per host roster and per
 * session counter. Every window of the profile shares them.
 *
 * The identity is kept as the WebCrypto key objects themselves, generated non-extractable: the
 * browser stores them without ever handing their bytes to script, so neither this page's code
 * nor anything injected into it can copy the private keys out; it can only use them here.
 *
 * A row this build cannot read (corrupt, or another program's) is skipped with a log line, as
 * the outbox does: a skipped host row means its sessions show as not paired, never a crash.
 * Every write resolves once its transaction committed, so a counter is durable before the
 * input it numbered leaves.
 */
export class IndexedDbSealingStore implements SealingStore {
  readonly extractableKeys = false;
  #scope: string | undefined;

  /** `deviceId`: the relay device these keys belong to; none for a device being paired. */
  constructor(deviceId?: string) {
    this.#scope = deviceId;
  }

  async loadIdentity(): Promise<DeviceIdentity | undefined> {
    const row = await this.#row('identity');
    if (row === undefined) return undefined;
    if (looksLikeIdentity(row, this.#scope)) return row;
    logSkipped(WHERE, `an identity this browser cannot use (device ${this.#scope ?? '?'})`);
    return undefined;
  }

  async saveIdentity(identity: DeviceIdentity): Promise<void> {
    if (this.#scope !== undefined && this.#scope !== identity.deviceId) {
      throw new SealingStoreError(
        `this key store belongs to device ${this.#scope}, not ${identity.deviceId}: open the store of that device`,
      );
    }
    if (identity.signing.privateKey.extractable || identity.agreement.privateKey.extractable) {
      throw new SealingStoreError(
        'a browser keeps only non-extractable private keys: generate the identity with extractable false',
      );
    }
    const scope = identity.deviceId;
    const known = await this.#row('identity', scope);
    if (
      looksLikeIdentity(known, scope) &&
      known.publicKeys.signingKey !== identity.publicKeys.signingKey
    ) {
      throw new SealingStoreError(
        `this browser already holds keys for device ${scope}; pair it again as a new device to use others`,
      );
    }
    await this.#put('identity', identity, scope);
    this.#scope = scope;
  }

  async hostKeys(hostId: string): Promise<DevicePublicKeys | undefined> {
    const row = await this.#row(`host/${hostId}`);
    if (row === undefined) return undefined;
    if (looksLikeKeys(row) && row.deviceId === hostId) return row;
    logSkipped(WHERE, `the pinned keys of host ${hostId}, which are damaged (pair with it again)`);
    return undefined;
  }

  async pinHost(keys: DevicePublicKeys): Promise<void> {
    const known = await this.hostKeys(keys.deviceId);
    if (known) {
      if (known.signingKey === keys.signingKey && known.agreementKey === keys.agreementKey) return;
      throw new SealingStoreError(
        `host ${keys.deviceId} is pinned with other keys in this browser; a link with new keys for it is refused (if the host really got a new identity, pair this browser again as a new device)`,
      );
    }
    await this.#put(`host/${keys.deviceId}`, {
      deviceId: keys.deviceId,
      signingKey: keys.signingKey,
      agreementKey: keys.agreementKey,
    });
  }

  async hosts(): Promise<DevicePublicKeys[]> {
    const rows = await this.#rows('host/');
    const hosts: DevicePublicKeys[] = [];
    for (const row of rows) {
      if (looksLikeKeys(row.value)) hosts.push(row.value);
      else logSkipped(WHERE, `pinned host keys that are damaged (${row.key})`);
    }
    return hosts;
  }

  async roster(hostId: string): Promise<SignedRoster | undefined> {
    const row = await this.#row(`roster/${hostId}`);
    if (row === undefined) return undefined;
    // Its signature is checked again when applied; here only its shape.
    if (
      typeof row === 'object' &&
      row !== null &&
      typeof (row as SignedRoster).version === 'number'
    )
      return row as SignedRoster;
    logSkipped(WHERE, `the roster of host ${hostId}, which is damaged (the relay sends it again)`);
    return undefined;
  }

  async saveRoster(hostId: string, roster: SignedRoster): Promise<void> {
    await this.#put(`roster/${hostId}`, roster);
  }

  async counters(): Promise<Record<string, number>> {
    const counters: Record<string, number> = {};
    for (const row of await this.#rows('counter/')) {
      const sessionId = row.key.slice(rowKey(this.#need(), 'counter/').length);
      if (typeof row.value === 'number' && Number.isSafeInteger(row.value) && row.value >= 0)
        counters[sessionId] = row.value;
      else logSkipped(WHERE, `a damaged counter (${row.key})`);
    }
    return counters;
  }

  async saveCounter(sessionId: string, last: number): Promise<void> {
    const scope = this.#need();
    const key = rowKey(scope, `counter/${sessionId}`);
    // Read and write in one transaction: two windows of this device never lower a counter.
    await transact('sealing', 'readwrite', (store) => {
      const read = store.get(key);
      read.onsuccess = () => {
        const row = read.result as Row<unknown> | undefined;
        const known = typeof row?.value === 'number' ? row.value : 0;
        if (last > known) store.put({ key, scope, value: last } satisfies Row<number>);
      };
    });
  }

  #need(): string {
    if (this.#scope === undefined) {
      throw new SealingStoreError(
        'this browser holds no device keys yet: pair it with a host first',
      );
    }
    return this.#scope;
  }

  async #row(id: string, scope = this.#scope): Promise<unknown> {
    if (scope === undefined) return undefined;
    let request: IDBRequest<unknown> | undefined;
    await transact('sealing', 'readonly', (store) => {
      request = store.get(rowKey(scope, id));
    });
    const row = request?.result as Row<unknown> | undefined;
    if (row === undefined) return undefined;
    if (typeof row !== 'object' || row === null || row.scope !== scope) {
      logSkipped(WHERE, `a row that is not baton's (${rowKey(scope, id)})`);
      return undefined;
    }
    return row.value;
  }

  async #rows(prefix: string): Promise<Row<unknown>[]> {
    if (this.#scope === undefined) return [];
    const start = rowKey(this.#scope, prefix);
    return (await rowsOf('sealing', this.#scope)).filter((row) => row.key.startsWith(start));
  }

  async #put(id: string, value: unknown, scope = this.#need()): Promise<void> {
    await transact('sealing', 'readwrite', (store) => {
      store.put({ key: rowKey(scope, id), scope, value } satisfies Row<unknown>);
    });
  }
}

function looksLikeKeys(value: unknown): value is DevicePublicKeys {
  const keys = value as Partial<DevicePublicKeys> | null;
  return (
    typeof keys === 'object' &&
    keys !== null &&
    typeof keys.deviceId === 'string' &&
    typeof keys.signingKey === 'string' &&
    typeof keys.agreementKey === 'string'
  );
}

function looksLikeIdentity(value: unknown, scope: string | undefined): value is DeviceIdentity {
  const identity = value as Partial<DeviceIdentity> | null;
  const pair = (p: unknown): boolean =>
    typeof p === 'object' &&
    p !== null &&
    (p as CryptoKeyPair).privateKey instanceof CryptoKey &&
    (p as CryptoKeyPair).publicKey instanceof CryptoKey;
  return (
    typeof identity === 'object' &&
    identity !== null &&
    identity.deviceId === scope &&
    pair(identity.signing) &&
    pair(identity.agreement) &&
    looksLikeKeys(identity.publicKeys) &&
    identity.publicKeys.deviceId === scope
  );
}
