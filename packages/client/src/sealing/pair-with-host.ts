import {
  createIntroduction,
  decodePairingFragment,
  generateDeviceIdentity,
  type DeviceIdentity,
  type PairingKeys,
} from '@baton/seal';
import { BatonError } from '../baton-error.js';
import { requestJson, type HttpFetch } from '../http-json.js';
import { redeemPairing } from '../pairing-api.js';
import type { SealingStore } from './sealing-store.js';

/** What `pairWithHost` gives back: this device's credential at the relay, and its host. */
export interface HostPairing {
  readonly deviceId: string;
  /** The device token for the relay. Secret: keep it like the store. */
  readonly token: string;
  /** The host whose keys were pinned from the link. */
  readonly hostId: string;
  /** The relay's HTTP address (the link's origin). */
  readonly baseUrl: string;
}

/**
 * Pairs this device with a host through its relay, from the link `baton host pair` printed:
 * reads the host's keys and the pairing secret from the link's fragment (which no server ever
 * sees), redeems the code at the relay for a device token, makes this device's identity, pins
 * the host's keys from the fragment (never from the relay), and sends the host an introduction
 * MACed with the secret. The host then adds this device to its roster and wraps its sessions'
 * keys to it; until it does, this device's sealed sessions show no content.
 *
 * @example
 * const store = new FileSealingStore(join(homedir(), '.baton', 'relay-keys.json'));
 * const { token } = await pairWithHost(link, { store, name: 'laptop' });
 */
export async function pairWithHost(
  link: string,
  options: { store: SealingStore; name: string; fetchImpl?: HttpFetch },
): Promise<HostPairing> {
  const { baseUrl, pairing } = readHostLink(link);
  if (pairing.code === undefined) {
    throw new BatonError(
      'bad_request',
      'this link has no pairing code: it is not a relay pairing link',
    );
  }
  if ((await options.store.loadIdentity()) !== undefined) {
    throw new BatonError(
      'conflict',
      'this key store already holds a paired device: use another store to pair again',
    );
  }
  const redeemed = await redeemPairing(baseUrl, pairing.code, options.name, options.fetchImpl);
  const identity = await generateDeviceIdentity(redeemed.deviceId, {
    extractable: options.store.extractableKeys,
  });
  await options.store.saveIdentity(identity);
  await introduce(baseUrl, pairing, identity, redeemed.deviceToken, options);
  return {
    deviceId: redeemed.deviceId,
    token: redeemed.deviceToken,
    hostId: pairing.host.deviceId,
    baseUrl,
  };
}

/**
 * Adds a host to a device already paired with its relay (another host's link, or an owner
 * code): the device stays the one it is (its token, sessions and other hosts), pins the new
 * host's keys from the link and introduces its own keys to it with the link's secret. The link's
 * code, if any, is sent with the introduction and left unredeemed. A device that has no keys yet
 * (paired by code, never with a host) makes them now, under `deviceId`.
 *
 * @example
 * await addHostByLink(link, { store, deviceId, token });
 */
export async function addHostByLink(
  link: string,
  options: { store: SealingStore; deviceId: string; token: string; fetchImpl?: HttpFetch },
): Promise<{ hostId: string; baseUrl: string }> {
  const { baseUrl, pairing } = readHostLink(link);
  let identity = await options.store.loadIdentity();
  if (identity !== undefined && identity.deviceId !== options.deviceId) {
    throw new BatonError(
      'conflict',
      `this key store holds device ${identity.deviceId}, not ${options.deviceId}: use the store of the device that adds the host`,
    );
  }
  if (!identity) {
    identity = await generateDeviceIdentity(options.deviceId, {
      extractable: options.store.extractableKeys,
    });
    await options.store.saveIdentity(identity);
  }
  await introduce(baseUrl, pairing, identity, options.token, options);
  return { hostId: pairing.host.deviceId, baseUrl };
}

/** The relay's address and the fragment's keys of a host pairing link, or what is wrong. */
function readHostLink(link: string): { baseUrl: string; pairing: PairingKeys } {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new BatonError(
      'bad_request',
      'not a pairing link: copy the whole link baton host pair printed',
    );
  }
  if (!/^https?:$/.test(url.protocol)) {
    throw new BatonError('bad_request', `a pairing link is an http(s) URL, not ${url.protocol}`);
  }
  // A SealError from here says what is missing from the fragment.
  return { baseUrl: url.origin, pairing: decodePairingFragment(url.hash) };
}

/**
 * Pins the host's keys from the link (never the relay's word) and sends it this device's keys,
 * MACed with the link's secret. The identity and the pin are stored before the introduction
 * leaves, so the keys the host wraps to are never lost to a crash in between.
 */
async function introduce(
  baseUrl: string,
  pairing: PairingKeys,
  identity: DeviceIdentity,
  token: string,
  options: { store: SealingStore; fetchImpl?: HttpFetch },
): Promise<void> {
  await options.store.pinHost(pairing.host);
  const introduction = await createIntroduction(identity, pairing);
  await requestJson(
    baseUrl,
    'POST',
    `/api/hosts/${encodeURIComponent(pairing.host.deviceId)}/introductions`,
    {
      token,
      body: {
        introduction,
        ...(pairing.code !== undefined ? { code: pairing.code } : {}),
      },
      ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
    },
  );
}
