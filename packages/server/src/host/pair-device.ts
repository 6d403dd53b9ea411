import { join } from 'node:path';
import { PairingCreated, type Role } from '@baton/protocol';
import { encodePairingFragment, newPairingSecret } from '@baton/seal';
import { hostLinkUrl } from './host-agent.js';
import { HostIdentity } from './host-identity.js';
import { SEALING_FILE } from './host-sealing.js';
import { HostStartError } from './host-start-error.js';
import { PendingPairings } from './pending-pairings.js';
import { readPrivateJson } from './private-file.js';
import { readToken } from './start-host.js';

export interface HostPairing {
  /** `<relay pairing url>#<code, host keys, pairing secret>`: open it on the new device. */
  link: string;
  code: string;
  expiresAt: number;
}

/**
 * `baton host pair`: asks the relay for a pairing code with the host's own token, makes a
 * one-time pairing secret, keeps it where the running `baton host` finds it, and returns the
 * link whose fragment (never sent to any server) carries the code, the host's public keys and
 * the secret (docs/protocol.md, "Pairing a device with a host").
 */
export async function pairDeviceWithHost(options: {
  relay: string;
  dataDir: string;
  role?: Role;
  ttlSeconds?: number;
}): Promise<HostPairing> {
  const token = readToken(options.dataDir);
  const hostId = readPrivateJson<{ hostId?: string }>(join(options.dataDir, SEALING_FILE))?.hostId;
  if (hostId === undefined)
    throw new HostStartError(
      'this host has not sealed with its relay yet: start baton host (without --plaintext) once, then pair',
    );
  const identity = await HostIdentity.load(options.dataDir);
  const base = new URL(hostLinkUrl(options.relay));
  base.protocol = base.protocol === 'wss:' ? 'https:' : 'http:';
  base.pathname = '/api/pairings';
  let res: Response;
  try {
    res = await fetch(base, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        role: options.role ?? 'editor',
        ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}),
      }),
    });
  } catch (err) {
    throw new HostStartError(`cannot reach the relay at ${base.origin}: ${(err as Error).message}`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const message =
      (body as { error?: { message?: string } } | undefined)?.error?.message ?? res.statusText;
    throw new HostStartError(`the relay refused a pairing code: ${message}`);
  }
  const created = PairingCreated.safeParse(body);
  if (!created.success) throw new HostStartError('the relay answered the pairing oddly');
  const { code, url, expiresAt } = created.data;
  const pairingSecret = newPairingSecret();
  new PendingPairings(options.dataDir).add({ code, secret: pairingSecret, expiresAt });
  const fragment = encodePairingFragment({
    code,
    host: { deviceId: hostId, ...identity.keys },
    pairingSecret,
  });
  return { link: `${url.split('#')[0]!}#${fragment}`, code, expiresAt };
}
