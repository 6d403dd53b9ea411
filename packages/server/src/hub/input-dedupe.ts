import type { WireInputPayload } from '@baton/protocol';
import { BatonError } from '../baton-error.js';
import { inputKey, type InputKey, type Store, type StoredInput } from '../storage/store.js';
import { payloadDigest } from './payload-digest.js';

/**
 * What a new input is, given a stored input with the same (session, device, input id): a retry
 * when the payload is the same (or was stored before payload digests existed), answered with the
 * original seq; otherwise a different input reusing the id, refused with an error that says so,
 * rather than acknowledged as something it is not. Two devices that both use id "1" never meet
 * here: dedupe is per device.
 */
export function storedInputVerdict(
  input: InputKey & { digest: string },
  seen: StoredInput,
): { seq: number } | BatonError {
  if (seen.payloadDigest === undefined || seen.payloadDigest === input.digest)
    return { seq: seen.seq };
  return new BatonError(
    'bad_request',
    `input id '${input.inputId}' was already used by this device for a different input (stored at #${seen.seq}); give every new input a new id`,
  );
}

/**
 * The seq of an already-stored input that this one repeats, or undefined when it is new; throws
 * when the device reused the id for another payload. For paths that do not go through the
 * LogWriter (an input to a session that takes none, where only a retry can be answered).
 */
export async function storedDuplicateOf(
  store: Store,
  sessionId: string,
  deviceId: string,
  inputId: string,
  payload: WireInputPayload,
): Promise<number | undefined> {
  const key = { deviceId, inputId, digest: payloadDigest(payload) };
  const seen = (await store.findInputs(sessionId, [key])).get(inputKey(key));
  if (seen === undefined) return undefined;
  const verdict = storedInputVerdict(key, seen);
  if (verdict instanceof BatonError) throw verdict;
  return verdict.seq;
}
