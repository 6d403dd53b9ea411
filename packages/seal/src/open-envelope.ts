import { type CounterGuard } from './counter-guard.js';
import { type DeviceRegistry } from './device-registry.js';
import { type SealedEnvelope } from './envelope-format.js';
import { type KeyRing } from './key-ring.js';
import { SealError } from './seal-error.js';
import { verifyEnvelope, type EnvelopePlace } from './verify-envelope.js';

export interface OpenOptions {
  readonly registry: DeviceRegistry;
  readonly keyRing: KeyRing;
  /**
   * Refuses replays: each author's counter must grow in its lane (counter-lanes.ts). Updated
   * only when the envelope opens.
   */
  readonly counters: CounterGuard;
  /**
   * Refuse envelopes sealed under an older epoch than the ring's current one, for a reader that
   * takes only the newest key. baton's host leaves it off (a device that has not fetched the
   * newest key is still heard) and refuses a revoked device's new inputs outright instead.
   */
  readonly requireCurrentEpoch?: boolean;
}

export interface OpenedEnvelope {
  readonly envelope: SealedEnvelope;
  readonly plaintext: Uint8Array;
}

/**
 * Verifies (as `verifyEnvelope`), refuses a replayed counter, then decrypts with the session
 * key of the envelope's epoch. The AAD is rebuilt from the checked fields, so a ciphertext
 * sealed for another session, kind, id, author, epoch or counter fails AES-GCM's tag check
 * even if its signature were somehow re-made.
 */
export async function openEnvelope(
  input: unknown,
  place: EnvelopePlace,
  options: OpenOptions,
): Promise<OpenedEnvelope> {
  const verified = await verifyEnvelope(input, place, options.registry);
  const { envelope } = verified;
  options.counters.check(envelope.session, envelope.author, envelope.counter);
  const sessionKey = options.keyRing.get(envelope.session, envelope.keyEpoch);
  if (!sessionKey) {
    throw new SealError(
      'no_key',
      `no key for ${envelope.session} at key epoch ${envelope.keyEpoch} on this device`,
    );
  }
  if (options.requireCurrentEpoch) {
    const current = options.keyRing.current(envelope.session)?.epoch ?? 0;
    if (envelope.keyEpoch < current) {
      throw new SealError(
        'stale_epoch',
        `sealed under key epoch ${envelope.keyEpoch}; the session's key is at epoch ${current}: seal again`,
      );
    }
  }
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(
      await globalThis.crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: verified.nonce, additionalData: verified.aad, tagLength: 128 },
        sessionKey.key,
        verified.ciphertext,
      ),
    );
  } catch {
    throw new SealError(
      'decrypt_failed',
      'the ciphertext does not open under this session key and context',
    );
  }
  // Recorded only now: a forged or undecryptable envelope must not move the counter.
  options.counters.accept(envelope.session, envelope.author, envelope.counter);
  return { envelope, plaintext };
}
