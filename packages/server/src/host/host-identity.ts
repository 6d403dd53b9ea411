import { KeyObject, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  exportDeviceIdentity,
  generateDeviceIdentity,
  hostKeyProofInput,
  hostOutSignatureInput,
  importDeviceIdentity,
  keyFingerprint,
  type DeviceIdentity,
  type ExportedDeviceIdentity,
} from '@baton/seal';
import type { HostKeys } from '@baton/protocol';
import { HostStartError } from './host-start-error.js';
import { readPrivateText } from './private-file.js';

/** The file in a host's data directory that holds its private keys (mode 0600). */
export const IDENTITY_FILE = 'host-identity.json';

/**
 * A host's identity: the Ed25519 and X25519 pairs it made at its first start (docs/relay.md,
 * "Host identity"). The relay pins the public halves at the host's first registration; the
 * signing key signs every `out` the host sends.
 *
 * Invariant: the file is read or written only by this host's user (0600). A file that others
 * can read is refused rather than used, because a copy of it lets anyone sign as this host.
 */
export class HostIdentity {
  private constructor(
    readonly keys: HostKeys,
    /** The fingerprint of the signing key, as the relay lists it (`baton hosts`). */
    readonly fingerprint: string,
    private readonly signingKey: KeyObject,
    private readonly exported: ExportedDeviceIdentity,
  ) {}

  /**
   * The identity as a @baton/seal device under the id the relay knows the host by (its grant's
   * device id, learnt at the first welcome): the author of every envelope the host seals.
   */
  asDevice(hostId: string): Promise<DeviceIdentity> {
    return importDeviceIdentity({ ...this.exported, deviceId: hostId });
  }

  /** Reads the identity in `dataDir`, or makes and keeps one when there is none yet. */
  static async load(dataDir: string): Promise<HostIdentity> {
    const path = join(dataDir, IDENTITY_FILE);
    const text = readPrivateText(
      path,
      "this host's private keys",
      ' (and pair the host again if anyone else could have copied it)',
    );
    const exported =
      text === undefined ? await HostIdentity.create(path) : parseExported(text, path);
    const identity = await importDeviceIdentity(exported).catch((err: unknown) => {
      throw new HostStartError(`${path}: ${(err as Error).message}`);
    });
    const keys = {
      signingKey: identity.publicKeys.signingKey,
      agreementKey: identity.publicKeys.agreementKey,
    };
    return new HostIdentity(
      keys,
      await keyFingerprint(keys.signingKey),
      KeyObject.from(identity.signing.privateKey),
      exported,
    );
  }

  private static async create(path: string) {
    const identity = await generateDeviceIdentity('host', { extractable: true });
    const exported = await exportDeviceIdentity(identity);
    // 'wx': never overwrite an identity another start wrote meanwhile (the data directory lock
    // makes that impossible today; this keeps it true without it).
    writeFileSync(path, JSON.stringify(exported) + '\n', { mode: 0o600, flag: 'wx' });
    return exported;
  }

  /**
   * The signature of `out` number `n` of a session over its body (base64url). Synchronous
   * (node:crypto), so frames leave in the order they were made.
   */
  signOut(sessionId: string, n: number, body: unknown): string {
    return sign(null, hostOutSignatureInput(sessionId, n, body), this.signingKey).toString(
      'base64url',
    );
  }

  /**
   * The proof of possession of `host.hello` (version 6): the signature over the grant's token and
   * both public keys, so the relay pins only keys whose private half this host holds.
   */
  proveKeys(token: string): string {
    return sign(null, hostKeyProofInput(token, this.keys), this.signingKey).toString('base64url');
  }
}

function parseExported(text: string, path: string): ExportedDeviceIdentity {
  try {
    const value = JSON.parse(text) as Partial<ExportedDeviceIdentity>;
    if (
      typeof value.deviceId === 'string' &&
      typeof value.signingPrivateKey === 'string' &&
      typeof value.agreementPrivateKey === 'string'
    )
      return value as ExportedDeviceIdentity;
  } catch {
    // Reported below.
  }
  throw new HostStartError(
    `${path} is not a host identity: restore it from a backup, or move it away and pair the host again (a new identity needs a new pairing)`,
  );
}
