import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DeviceSealing, MemorySealingStore, pairWithHost, type SealingStore } from '@baton/client';
import type { InputPayload } from '@baton/protocol';
import { BATON_CLI } from './server-control.js';

/** A checker device paired with the relay scenarios' sealing host, as a real device pairs. */
export interface SealedDevice {
  readonly name: string;
  readonly deviceId: string;
  /** Its device token at the relay (what `baton join` would keep). */
  readonly token: string;
  readonly hostId: string;
  /** Its keys: identity, pinned host keys, roster, and its own author counters. */
  readonly store: SealingStore;
  /** Loaded on first use: the device's sealing for a session of the host. */
  sealing(): Promise<DeviceSealing>;
}

/**
 * `baton host pair` on the host's data directory (the real command, as a person runs it on the
 * host machine) and the link it prints, with the pairing secret in its fragment.
 */
export async function hostPairLink(relayUrl: string, hostDir: string): Promise<string> {
  const args = [BATON_CLI, 'host', 'pair', '--relay', relayUrl, '--data', hostDir];
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: join(hostDir, 'home') };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let errors = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (errors += String(d)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const link = /^https?:\/\/\S+#\S+$/m.exec(out)?.[0];
  if (code !== 0 || link === undefined)
    throw new Error(`baton host pair failed (exit ${code}): ${errors.slice(-1000) || out}`);
  return link;
}

/**
 * Pairs one checker device with the host by link through the SDK (`pairWithHost`: code redeemed
 * at the relay, host keys pinned from the fragment, introduction MACed with the secret). Its
 * keys stay in memory: a checker device lives for one run.
 */
export async function pairSealedDevice(
  relayUrl: string,
  hostDir: string,
  name: string,
): Promise<SealedDevice> {
  const store = new MemorySealingStore();
  const paired = await pairWithHost(await hostPairLink(relayUrl, hostDir), { store, name });
  let device: Promise<DeviceSealing> | undefined;
  return {
    name,
    deviceId: paired.deviceId,
    token: paired.token,
    hostId: paired.hostId,
    store,
    sealing: () =>
      (device ??= DeviceSealing.load(store, { baseUrl: relayUrl, token: paired.token })),
  };
}

/**
 * Waits until the host has wrapped every session's key to the device (it took the device's
 * introduction): before that the device can neither seal nor open, and a `no_key` refusal is
 * asked about once per key epoch only.
 */
export async function awaitKeys(
  relayUrl: string,
  device: SealedDevice,
  sessionIds: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const id of sessionIds) {
    for (;;) {
      const res = await fetch(`${relayUrl}/api/sessions/${id}/keys`, {
        headers: { authorization: `Bearer ${device.token}` },
      }).catch(() => undefined);
      const body = res?.ok ? ((await res.json()) as { wrapped?: { recipient?: string }[] }) : {};
      if (body.wrapped?.some((w) => w.recipient === device.deviceId)) break;
      if (Date.now() > deadline)
        throw new Error(`the host never wrapped session ${id}'s key to ${device.name}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Seals an input payload as the device (its next author counter, under the session's current
 * key): the raw clients send the result, and send the same envelope again on every retry.
 */
export async function sealInput(
  device: SealedDevice,
  sessionId: string,
  inputId: string,
  payload: InputPayload,
): Promise<unknown> {
  const session = await (await device.sealing()).session(sessionId, device.hostId);
  return session.sealInput(inputId, payload);
}
