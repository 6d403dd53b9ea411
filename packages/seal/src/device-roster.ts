import { z } from 'zod';
import { fromBase64url, toBase64url } from './base64url.js';
import { concat, lengthPrefixed, u32, u64 } from './bytes.js';
import { importSigningKey, type DeviceIdentity, type DevicePublicKeys } from './device-identity.js';
import { type DeviceRegistry } from './device-registry.js';
import { SealError } from './seal-error.js';
import { refuseWeakKeys } from './weak-public-key.js';

/**
 * The host's signed list of its paired devices and revocations (docs/protocol.md, "Device
 * roster"). Devices learn each other's public keys, and who was revoked, only from it: a relay
 * that handed out keys itself could give a phone a key of its own for "the laptop" and forge
 * the laptop's inputs to it, or hold back a revocation unnoticed by a version check. A device
 * checks the roster with the host key it got from the pairing link, and never applies an older
 * version than one it has.
 */

const LABEL_ROSTER = 'baton-seal/1 roster';
const Name = z.string().min(1).max(256);
const bytesOf = (n: number) =>
  z.string().refine((t) => fromBase64url(t)?.length === n, `${n} bytes in unpadded base64url`);

const RosterBody = z.object({
  v: z.literal(1),
  host: Name,
  /** Grows with every change; a device refuses a roster not newer than the one it applied. */
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** Every device the host paired, revoked ones included (their history still verifies). */
  devices: z
    .array(
      z.object({ deviceId: Name, signingKey: bytesOf(32), agreementKey: bytesOf(32) }).strict(),
    )
    .max(10_000),
  revoked: z
    .array(
      z
        .object({
          deviceId: Name,
          cutoffs: z
            .array(
              z
                .object({
                  session: Name,
                  counter: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
                })
                .strict(),
            )
            .max(100_000),
        })
        .strict(),
    )
    .max(10_000),
});

export const SignedRoster = RosterBody.extend({ signature: bytesOf(64) }).strict();
export type SignedRoster = z.infer<typeof SignedRoster>;
type RosterBody = z.infer<typeof RosterBody>;

/**
 * bytes = str(LABEL) ‖ str(host) ‖ u64(version) ‖ u32(#devices)
 *         ‖ per device, in array order: str(deviceId) ‖ signingKey (32) ‖ agreementKey (32)
 *         ‖ u32(#revoked) ‖ per revoked device: str(deviceId) ‖ u32(#cutoffs)
 *           ‖ per cut-off: str(session) ‖ u64(counter)
 */
function rosterBytes(roster: RosterBody): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [
    lengthPrefixed(LABEL_ROSTER),
    lengthPrefixed(roster.host),
    u64(roster.version),
    u32(roster.devices.length),
  ];
  for (const d of roster.devices) {
    parts.push(
      lengthPrefixed(d.deviceId),
      fromBase64url(d.signingKey)!,
      fromBase64url(d.agreementKey)!,
    );
  }
  parts.push(u32(roster.revoked.length));
  for (const r of roster.revoked) {
    parts.push(lengthPrefixed(r.deviceId), u32(r.cutoffs.length));
    for (const c of r.cutoffs) parts.push(lengthPrefixed(c.session), u64(c.counter));
  }
  return concat(...parts);
}

/** The host signs its registry as roster `version`. */
export async function signRoster(
  host: DeviceIdentity,
  registry: DeviceRegistry,
  version: number,
): Promise<SignedRoster> {
  const devices = registry.all().map((d) => ({
    deviceId: d.deviceId,
    signingKey: d.signingKey,
    agreementKey: d.agreementKey,
  }));
  const revoked = devices.flatMap(({ deviceId }) => {
    const revocation = registry.revocationOf(deviceId);
    if (!revocation) return [];
    const cutoffs = Object.entries(revocation.cutoffs).map(([session, counter]) => ({
      session,
      counter,
    }));
    return [{ deviceId, cutoffs }];
  });
  const body: RosterBody = { v: 1, host: host.deviceId, version, devices, revoked };
  const signature = await globalThis.crypto.subtle.sign(
    { name: 'Ed25519' },
    host.signing.privateKey,
    rosterBytes(body),
  );
  return { ...body, signature: toBase64url(new Uint8Array(signature)) };
}

/**
 * A device applies a roster to its registry: only one signed by its host (the keys from the
 * pairing link) and newer than `appliedVersion`. Returns the roster's version, to keep.
 */
export async function applyRoster(
  registry: DeviceRegistry,
  input: unknown,
  trusted: { host: DevicePublicKeys; appliedVersion: number },
): Promise<number> {
  const parsed = SignedRoster.safeParse(input);
  if (!parsed.success) throw new SealError('malformed', 'not a signed device roster');
  const roster = parsed.data;
  if (roster.host !== trusted.host.deviceId) {
    throw new SealError(
      'context_mismatch',
      `the roster is ${roster.host}'s, not this device's host`,
    );
  }
  const valid = await globalThis.crypto.subtle.verify(
    { name: 'Ed25519' },
    await importSigningKey(trusted.host.signingKey),
    fromBase64url(roster.signature)!,
    rosterBytes(roster),
  );
  if (!valid) throw new SealError('bad_signature', 'the device roster is not signed by the host');
  if (roster.version <= trusted.appliedVersion) {
    throw new SealError(
      'replayed',
      `roster version ${roster.version} is not newer than ${trusted.appliedVersion}: an old roster replayed`,
    );
  }
  const ids = new Set(roster.devices.map((d) => d.deviceId));
  if (ids.size !== roster.devices.length) {
    throw new SealError('malformed', 'the roster names a device twice');
  }
  for (const r of roster.revoked) {
    if (!ids.has(r.deviceId)) {
      throw new SealError('malformed', `the roster revokes ${r.deviceId}, which it does not list`);
    }
  }
  // A device id keeps its keys, and none is weak: a roster that re-keys a device or lists a
  // weak key is refused before anything applies (a signed roster is the host's word, but a
  // host whose roster code is wrong must not make a device trust a key that proves nothing).
  for (const device of roster.devices) {
    refuseWeakKeys(device, `the roster's device ${device.deviceId}`);
    const known = registry.get(device.deviceId);
    const same =
      !known ||
      (known.signingKey === device.signingKey && known.agreementKey === device.agreementKey);
    if (!same) {
      throw new SealError('context_mismatch', `the roster gives ${device.deviceId} other keys`);
    }
  }
  for (const device of roster.devices) registry.add(device);
  for (const r of roster.revoked) {
    registry.revoke(r.deviceId, {
      cutoffs: Object.fromEntries(r.cutoffs.map((c) => [c.session, c.counter])),
    });
  }
  return roster.version;
}
