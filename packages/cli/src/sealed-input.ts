import { DeviceSealing, type SealedPayload, type SessionSealing } from '@baton/client';
import type { InputPayload, SessionInfo } from '@baton/protocol';
import { CliError, ExitCode } from './cli-error.js';
import { deviceKeysFor } from './device-keys.js';
import type { ServerTarget } from './server-target.js';

/**
 * The sealing of a sealed session with this CLI's keys (from `baton join`); its keys are
 * fetched and checked on first use.
 */
export async function sessionSealingFor(
  target: ServerTarget,
  session: SessionInfo,
): Promise<SessionSealing> {
  const hostId = session.sealed?.hostId ?? '';
  const store = deviceKeysFor(target.url);
  if (!store) {
    throw new CliError(
      `session ${session.id} is sealed by host ${hostId}: this CLI holds no keys for ${target.url}; pair it first with baton join '<link from baton host pair>'`,
      ExitCode.Failed,
    );
  }
  const device = await DeviceSealing.load(store, { baseUrl: target.url, token: target.token });
  const sealing = await device.session(session.id, hostId);
  if (sealing.keyEpoch === 0) await sealing.refreshKeys();
  return sealing;
}

/**
 * Seals one input for a sealed session, once: the caller resends exactly this on every retry,
 * so the relay's dedupe by input id holds.
 */
export async function sealInputFor(
  target: ServerTarget,
  session: SessionInfo,
  inputId: string,
  payload: InputPayload,
): Promise<SealedPayload> {
  const sealing = await sessionSealingFor(target, session);
  try {
    return await sealing.sealInput(inputId, payload);
  } catch (error) {
    throw new CliError(
      `cannot seal the input for ${session.id}: ${error instanceof Error ? error.message : String(error)}`,
      ExitCode.Failed,
    );
  }
}
