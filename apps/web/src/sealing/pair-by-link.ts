import { addHostByLink, BatonError, pairWithHost } from '@baton/client';
import { decodePairingFragment, keyFingerprint, type PairingKeys } from '@baton/seal';
import type { DeviceCredential } from '../sign-in/device-credential.js';
import { IndexedDbSealingStore } from './indexed-db-sealing-store.js';

/** What a host pairing link (`baton host pair`) names, read in the browser only. */
export interface HostLink {
  /** The whole link, fragment included; it never leaves this browser. */
  readonly link: string;
  readonly pairing: PairingKeys;
  /** The host's signing key fingerprint, as `baton host` prints it, to compare by eye. */
  readonly fingerprint: string;
}

/**
 * Reads a host pairing link: the relay's address with a fragment carrying `host`, `hk`, `hx`
 * and `ps` (and the relay's `code`). Throws a SealError saying what is missing.
 */
export async function readHostLink(link: string): Promise<HostLink> {
  const pairing = decodePairingFragment(new URL(link).hash);
  return { link, pairing, fingerprint: await keyFingerprint(pairing.host.signingKey) };
}

/** What pairing by a host link made: the device (new or the same) and where its relay is. */
export interface PairedByLink {
  credential: DeviceCredential;
  hostId: string;
  /** A device made by this pairing (its credential is new), not one that added a host. */
  newDevice: boolean;
  /** The relay's HTTP origin, the link's. */
  relayOrigin: string;
}

/**
 * Pairs this browser with a host from its link. A browser not signed in yet becomes a new device
 * (`pairWithHost`: it redeems the link's code). A browser already signed in to this relay stays
 * the device it is (its sessions, outbox and other hosts stay with it): it introduces its own
 * keys to the new host with the link's secret, made once and kept, and leaves the code unused.
 * (`pairWithHost` refuses a key store that already holds a device; `addHostByLink` is that path.)
 *
 * Either way the host keys pinned are the link's, never the relay's word, and the fragment
 * (secret included) is read here and never sent: the relay gets the code and the introduction,
 * whose MAC proves knowledge of the secret without carrying it.
 */
export async function pairByLink(
  host: HostLink,
  options: {
    name: string;
    credential: DeviceCredential | undefined;
    /**
     * The relay this page belongs to (the web app: its own origin), whose links alone it takes;
     * undefined for a page that is no relay's (the extension), which pairs with the link's.
     */
    pageOrigin: string | undefined;
  },
): Promise<PairedByLink> {
  const origin = new URL(host.link).origin;
  if (options.pageOrigin !== undefined && origin !== options.pageOrigin) {
    throw new BatonError(
      'bad_request',
      `this link pairs with the relay at ${origin}: open it there (this page is ${options.pageOrigin})`,
    );
  }
  const { credential } = options;
  if (!credential) {
    const paired = await pairWithHost(host.link, {
      store: new IndexedDbSealingStore(),
      name: options.name,
    });
    return {
      credential: { deviceId: paired.deviceId, token: paired.token },
      hostId: paired.hostId,
      newDevice: true,
      relayOrigin: origin,
    };
  }
  // The device signed in here adds the host; one signed in by an owner link makes its keys now.
  await addHostByLink(host.link, {
    store: new IndexedDbSealingStore(credential.deviceId),
    deviceId: credential.deviceId,
    token: credential.token,
  });
  return { credential, hostId: host.pairing.host.deviceId, newDevice: false, relayOrigin: origin };
}
