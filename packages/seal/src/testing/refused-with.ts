import { SealError, type SealErrorCode } from '../seal-error.js';

/** An `assert.rejects` matcher: a SealError with this code (and a message saying why). */
export function refusedWith(code: SealErrorCode): (error: unknown) => true {
  return (error) => {
    if (!(error instanceof SealError)) throw error;
    if (error.code !== code) {
      throw new Error(`expected a ${code} refusal, got ${error.code}: ${error.message}`, {
        cause: error,
      });
    }
    if (error.message.length === 0) throw new Error('a refusal says why');
    return true;
  };
}
