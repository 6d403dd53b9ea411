import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import {
  exportDeviceIdentity,
  importDeviceIdentity,
  type DeviceIdentity,
  type DevicePublicKeys,
  type ExportedDeviceIdentity,
  type SignedRoster,
} from '@baton/seal';
import { checkSamePin, SealingStoreError, type SealingStore } from './sealing-store.js';

/** What the file holds (JSON). The private keys are PKCS#8 in base64url: the file is secret. */
interface FileContents {
  v: 1;
  identity?: ExportedDeviceIdentity;
  hosts: Record<string, DevicePublicKeys>;
  rosters: Record<string, SignedRoster>;
  counters: Record<string, number>;
}

/**
 * A sealing store in one JSON file, for a CLI or another Node device (Node only: never import
 * it from code a browser bundles; `@baton/client/node` exports it).
 *
 * Invariant: the file is read or written only by its user (mode 0600, its folder 0700 when this
 * store makes it). A file others can read or write is refused rather than used, because a copy
 * of it lets anyone read this device's sessions and type into them. Every change is written to
 * a temporary file and renamed over the old one, so a crash leaves the old or the new file,
 * never half of one; a counter is durable before `saveCounter` resolves.
 */
export class FileSealingStore implements SealingStore {
  readonly extractableKeys = true;
  readonly #path: string;
  #contents: FileContents | undefined;
  #identity: Promise<DeviceIdentity | undefined> | undefined;
  #writes: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.#path = path;
  }

  get path(): string {
    return this.#path;
  }

  loadIdentity(): Promise<DeviceIdentity | undefined> {
    this.#identity ??= (async () => {
      const exported = this.#read().identity;
      if (!exported) return undefined;
      try {
        return await importDeviceIdentity(exported);
      } catch (error) {
        throw new SealingStoreError(`${this.#path}: ${(error as Error).message}`);
      }
    })();
    return this.#identity;
  }

  async saveIdentity(identity: DeviceIdentity): Promise<void> {
    const exported = await exportDeviceIdentity(identity);
    await this.#change((c) => {
      if (c.identity && c.identity.signingPrivateKey !== exported.signingPrivateKey) {
        throw new SealingStoreError(
          `${this.#path} already holds device ${c.identity.deviceId}; move it away to pair this machine as a new device`,
        );
      }
      c.identity = exported;
    });
    this.#identity = Promise.resolve(identity);
  }

  // Async so that a refused file (readable by others) rejects rather than throws.
  async hostKeys(hostId: string): Promise<DevicePublicKeys | undefined> {
    return Promise.resolve(own(this.#read().hosts, hostId));
  }

  pinHost(keys: DevicePublicKeys): Promise<void> {
    return this.#change((c) => {
      if (checkSamePin(own(c.hosts, keys.deviceId), keys) === 'new') {
        c.hosts[keys.deviceId] = {
          deviceId: keys.deviceId,
          signingKey: keys.signingKey,
          agreementKey: keys.agreementKey,
        };
      }
    });
  }

  async hosts(): Promise<DevicePublicKeys[]> {
    return Promise.resolve(Object.values(this.#read().hosts));
  }

  async roster(hostId: string): Promise<SignedRoster | undefined> {
    return Promise.resolve(own(this.#read().rosters, hostId));
  }

  saveRoster(hostId: string, roster: SignedRoster): Promise<void> {
    return this.#change((c) => {
      c.rosters[hostId] = roster;
    });
  }

  async counters(): Promise<Record<string, number>> {
    return Promise.resolve({ ...this.#read().counters });
  }

  saveCounter(sessionId: string, last: number): Promise<void> {
    return this.#change((c) => {
      if (last > (own(c.counters, sessionId) ?? 0)) c.counters[sessionId] = last;
    });
  }

  /**
   * Applies `edit` to the contents and writes them; changes run one at a time, in call order.
   * The edit starts from the file as it is now, not from this store's copy: another process of
   * the device (a second `baton attach`, a `baton join` meanwhile) may have written it since, and
   * writing back an older copy would undo its change (a host it pinned, a higher counter).
   */
  #change(edit: (contents: FileContents) => void): Promise<void> {
    const run = this.#writes.then(() => {
      const next = parseContents(readPrivate(this.#path), this.#path);
      edit(next);
      this.#write(next);
      this.#contents = next;
    });
    this.#writes = run.catch(() => undefined);
    return run;
  }

  #read(): FileContents {
    this.#contents ??= parseContents(readPrivate(this.#path), this.#path);
    return this.#contents;
  }

  #write(contents: FileContents): void {
    mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
    const temporary = `${this.#path}.${process.pid}.tmp`;
    // Written 0600 from its first byte: no moment when others could read the keys.
    writeFileSync(temporary, JSON.stringify(contents, null, 2) + '\n', { mode: 0o600, flag: 'w' });
    renameSync(temporary, this.#path);
  }
}

const EMPTY: FileContents = { v: 1, hosts: {}, rosters: {}, counters: {} };

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The file's text, or undefined when there is none; refuses one others can read or write. */
function readPrivate(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SealingStoreError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const mode = fstatSync(fd).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new SealingStoreError(
        `${path} holds this device's private keys but others may read or change it (mode ${mode.toString(8).padStart(3, '0')}): run chmod 600 ${path} and try again (and pair this device again if anyone else could have copied it)`,
      );
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function parseContents(text: string | undefined, path: string): FileContents {
  if (text === undefined) return structuredClone(EMPTY);
  let value: Partial<FileContents> | null;
  try {
    value = JSON.parse(text) as Partial<FileContents> | null;
  } catch {
    value = null;
  }
  const isRecord = (v: unknown): v is Record<string, never> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const identity = value?.identity;
  const identityOk =
    identity === undefined ||
    (typeof identity.deviceId === 'string' &&
      typeof identity.signingPrivateKey === 'string' &&
      typeof identity.agreementPrivateKey === 'string');
  if (
    !value ||
    value.v !== 1 ||
    !identityOk ||
    !isRecord(value.hosts) ||
    !isRecord(value.rosters) ||
    !isRecord(value.counters)
  ) {
    throw new SealingStoreError(
      `${path} is not a baton device key file: restore it from a backup, or move it away and pair this device again`,
    );
  }
  return value as FileContents;
}
