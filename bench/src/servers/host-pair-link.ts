import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePairingFragment, importDeviceIdentity, newPairingSecret } from '@baton/seal';
import type { CliHost, CliServer } from './baton-cli.js';

/**
 * A device pairing link for a host, made as `baton host pair` makes it on the host's machine
 * (the CLI command is not there yet; this follows the sealed-sessions test in packages/cli): a
 * pairing code from the relay, a fresh pairing secret left for the running host in its data
 * directory (`pending-pairings.json`, 0600, written whole then renamed, as the host reads it at
 * every use), and the link with the host's public keys and the secret in its fragment, which no
 * server sees.
 */
export async function hostPairLink(relay: CliServer, host: CliHost): Promise<string> {
  const code = await relay.pairingCode('editor');
  const secret = newPairingSecret();
  const file = join(host.dataDir, 'pending-pairings.json');
  let pending: unknown[] = [];
  try {
    pending = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
  } catch {
    // none yet
  }
  pending.push({ code, secret, expiresAt: Date.now() + 300_000 });
  writeFileSync(`${file}.tmp`, JSON.stringify(pending), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  const exported = JSON.parse(readFileSync(join(host.dataDir, 'host-identity.json'), 'utf8')) as {
    signingPrivateKey: string;
    agreementPrivateKey: string;
  };
  const identity = await importDeviceIdentity({ ...exported, deviceId: await host.id() });
  return `${relay.url}/pair#${encodePairingFragment({ code, host: identity.publicKeys, pairingSecret: secret })}`;
}
