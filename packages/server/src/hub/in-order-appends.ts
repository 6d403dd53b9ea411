import { isSealedPayload, type WireInputPayload } from '@baton/protocol';

/**
 * Keeps a session's chat messages in the order their frames arrived although some must be
 * looked up first (their attachments, in the store) before they are appended.
 *
 * Frames are dispatched concurrently; order holds today because a message reaches the
 * LogWriter's queue synchronously from its frame (`appendInput` enqueues before it returns). A
 * message that waits for a lookup would let a later one overtake it, so while any lookup is
 * pending every message goes through one chain: each waits for the one before it to be
 * *enqueued* (not committed), then is looked up and enqueued itself. With no lookup pending, a
 * message without attachments is appended at once, as before.
 */
export class InOrderAppends {
  private pending = 0;
  private chain: Promise<unknown> = Promise.resolve();

  /**
   * Runs `prepare` (which may await) and then `append` (which must enqueue synchronously), in
   * call order with respect to every other call. Resolves with what `append` resolves with.
   */
  run<T>(
    payload: WireInputPayload,
    prepare: (payload: WireInputPayload) => Promise<WireInputPayload>,
    append: (payload: WireInputPayload) => Promise<T>,
  ): Promise<T> {
    // A sealed payload is verified (asynchronous WebCrypto) before it is appended.
    const needsLookup =
      isSealedPayload(payload) || (payload.kind === 'message' && payload.attachments !== undefined);
    if (!needsLookup && this.pending === 0) return append(payload);
    this.pending += 1;
    const enqueued = this.chain.then(async () => {
      // Wrapped so that the chain moves on once the append is enqueued, not once it commits.
      return { appended: append(await prepare(payload)) };
    });
    this.chain = enqueued.then(
      () => (this.pending -= 1),
      () => (this.pending -= 1),
    );
    return enqueued.then((e) => e.appended);
  }
}
