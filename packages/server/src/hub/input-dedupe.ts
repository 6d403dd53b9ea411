import { BatonError } from '../baton-error.js';
import type { InputKey, StoredInput } from '../storage/store.js';

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
