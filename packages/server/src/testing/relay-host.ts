import { startHost, type HostOptions, type RunningHost } from '../host/start-host.js';
import { callApi } from './http-api.js';
import { tempDataDir, waitUntil } from './test-server.js';

/** A pairing code the relay's owner made (role owner), as `baton host` redeems one. */
export async function ownerPairingCode(relay: {
  url: string;
  ownerToken: string;
}): Promise<string> {
  const made = await callApi<{ code: string }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/pairings',
    {
      role: 'owner',
    },
  );
  if (made.status !== 201) throw new Error(`the relay made no pairing code: ${made.status}`);
  return made.body.code;
}

/** A real host working for a relay, once the relay welcomed it, with its data directory. */
export interface WelcomedHost {
  readonly host: RunningHost;
  readonly hostId: string;
  readonly dataDir: string;
  /** Closes the host and removes its data directory (unless the caller gave the directory). */
  close(): Promise<void>;
}

/**
 * `startHost` paired by a fresh owner code, in a new data directory unless `dataDir` is given,
 * resolved once the relay welcomed it. Quiet unless `logLevel` says otherwise.
 */
export async function startWelcomedHost(
  relay: { url: string; ownerToken: string },
  options: Omit<HostOptions, 'relay' | 'dataDir'> & { name: string; dataDir?: string },
): Promise<WelcomedHost> {
  const own = options.dataDir === undefined ? tempDataDir('baton-host-') : undefined;
  const dataDir = options.dataDir ?? own!.dir;
  let hostId: string | undefined;
  const host = await startHost({
    logLevel: 'silent',
    ...options,
    code: options.code ?? (await ownerPairingCode(relay)),
    relay: relay.url,
    dataDir,
    onOnline: (id, name) => {
      hostId = id;
      options.onOnline?.(id, name);
    },
  });
  try {
    await waitUntil(() => hostId, `the relay welcomes host ${options.name}`);
  } catch (error) {
    await host.close();
    own?.remove();
    throw error;
  }
  return {
    host,
    hostId: hostId!,
    dataDir,
    close: async () => {
      await host.close();
      own?.remove();
    },
  };
}

/**
 * Waits until the host has wrapped `sessionId`'s key to the device whose token this is (it took
 * the device's introduction): from then on the device opens the session's events.
 */
export async function waitForSessionKey(
  relayUrl: string,
  token: string,
  sessionId: string,
  timeoutMs = 15_000,
): Promise<void> {
  await waitUntil(
    async () => {
      const res = await fetch(`${relayUrl}/api/sessions/${sessionId}/keys`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) return false;
      return ((await res.json()) as { wrapped?: unknown[] }).wrapped?.length;
    },
    `the host wraps the key of ${sessionId} to the device`,
    timeoutMs,
  );
}
