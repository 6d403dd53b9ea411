import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { BatonProcess } from './baton-process.js';
import { CLI_MAIN } from './paths.js';

/** A `baton host` process and its data directory. */
export interface RelayHost {
  readonly name: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** What it printed (stdout and stderr), for the checks that nothing sealed leaked. */
  output: string;
}

/**
 * `baton host --relay URL --code CODE --name NAME --data DIR`, resolved once the relay welcomed
 * it. The host seals its sessions (no --plaintext).
 */
export async function startHost(
  relay: BatonProcess,
  name: string,
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RelayHost> {
  const pairing = await fetch(`${relay.url}/api/pairings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'owner' }),
  });
  const { code } = (await pairing.json()) as { code: string };
  const child = spawn(
    process.execPath,
    [
      CLI_MAIN,
      'host',
      '--relay',
      relay.url,
      '--code',
      code,
      '--name',
      name,
      '--data',
      dataDir,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  const host: RelayHost = { name, dataDir, child, output: '' };
  child.stderr!.on('data', (chunk: Buffer) => (host.output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      host.output += `${l}\n`;
      if (l.startsWith(`host ${name} is online`)) resolve();
    });
    child.once('exit', (c) =>
      reject(new Error(`baton host ${name} exited with ${c}:\n${host.output}`)),
    );
  });
  return host;
}

/**
 * Runs `baton host pair --data DIR` on the host's machine and resolves with the link it prints
 * (the relay's pairing page, the host's keys and a one-time secret in the fragment). The command
 * may keep waiting for the device; it is stopped with the host.
 */
export async function hostPairLink(host: RelayHost): Promise<string> {
  const child = spawn(process.execPath, [CLI_MAIN, 'host', 'pair', '--data', host.dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const link = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      printed += `${l}\n`;
      const found = /https?:\/\/\S+#\S*hk=\S+/.exec(l)?.[0];
      if (found) resolve(found);
    });
    child.once('exit', (c) =>
      reject(new Error(`baton host pair exited with ${c} before printing a link:\n${printed}`)),
    );
  });
  host.child.once('exit', () => child.kill('SIGTERM'));
  stopLater.push(child);
  return link;
}

const stopLater: ChildProcess[] = [];

/** Stops every `baton host pair` still waiting. */
export function stopPairCommands(): void {
  for (const child of stopLater.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

/**
 * What `baton host pair` does, done by hand in the test, for while that command is not built:
 * a pairing code from the relay with the host's own token, a secret in the host's
 * pending-pairings.json (0600), the host's public keys and both in the fragment.
 */
export async function hostPairLinkByHand(relay: BatonProcess, host: RelayHost): Promise<string> {
  const { encodePairingFragment, importDeviceIdentity, newPairingSecret } =
    await import('@baton/seal');
  const { readFileSync, writeFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const token = readFileSync(join(host.dataDir, 'host-token'), 'utf8').trim();
  const res = await fetch(`${relay.url}/api/pairings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'editor' }),
  });
  const { code } = (await res.json()) as { code: string };
  const listed = await fetch(`${relay.url}/api/hosts`, {
    headers: { authorization: `Bearer ${relay.ownerToken}` },
  });
  const { hosts } = (await listed.json()) as { hosts: { id: string; name: string }[] };
  const hostId = hosts.find((h) => h.name === host.name)!.id;
  const exported = JSON.parse(readFileSync(join(host.dataDir, 'host-identity.json'), 'utf8')) as {
    deviceId: string;
    signingPrivateKey: string;
    agreementPrivateKey: string;
  };
  const identity = await importDeviceIdentity({ ...exported, deviceId: hostId });
  const secret = newPairingSecret();
  const file = join(host.dataDir, 'pending-pairings.json');
  const pending = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown[]) : [];
  pending.push({ code, secret, expiresAt: Date.now() + 600_000 });
  writeFileSync(file, JSON.stringify(pending), { mode: 0o600 });
  return `${relay.url}/pair#${encodePairingFragment({ code, host: identity.publicKeys, pairingSecret: secret })}`;
}
