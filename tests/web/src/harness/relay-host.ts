import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { BatonProcess } from './baton-process.js';
import { CLI_MAIN } from './paths.js';

/** A `baton host` process and its data directory. */
export interface RelayHost {
  readonly name: string;
  /** The relay it works for. */
  readonly relayUrl: string;
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
  const host: RelayHost = { name, relayUrl: relay.url, dataDir, child, output: '' };
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
 * Runs `baton host pair --relay URL --data DIR` on the host's machine and resolves with the link
 * it prints (the relay's pairing page; the host's keys and a one-time secret in the fragment).
 * Should the command wait for the device, it is stopped with the suite.
 */
export async function hostPairLink(host: RelayHost): Promise<string> {
  const child = spawn(
    process.execPath,
    [CLI_MAIN, 'host', 'pair', '--relay', host.relayUrl, '--data', host.dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let printed = '';
  child.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const link = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      printed += `${l}\n`;
      const found = /https?:\/\/\S+#\S*hk=\S+/.exec(l)?.[0];
      if (found) resolve(found);
    });
    // 'close', not 'exit': its output is all read by then.
    child.once('close', (c) =>
      reject(new Error(`baton host pair exited with ${c} before printing a link:\n${printed}`)),
    );
  });
  stopLater.push(child);
  return link;
}

const stopLater: ChildProcess[] = [];

/** Stops every `baton host pair` still waiting. */
export function stopPairCommands(): void {
  for (const child of stopLater.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}
