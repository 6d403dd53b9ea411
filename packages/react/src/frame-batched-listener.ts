/** Where frames do not run (a hidden tab, Node), batched calls still happen this often. */
export const FALLBACK_MS = 50;

/**
 * A store listener for `useSyncExternalStore` that, while `batch()` is true, calls `listener`
 * at most once per animation frame (or per `FALLBACK_MS` where no frames run) instead of once
 * per change; while it is false, at once, dropping any call still scheduled (this one covers
 * it). React reads the latest snapshot whenever it renders, so nothing is lost by calling less
 * often, only intermediate states are never drawn.
 *
 * Why: a replay delivers hundreds of events, each in its own WebSocket message (its own task
 * in a browser), and a store notification per event made React render the page once per event.
 */
export function frameBatchedListener(
  listener: () => void,
  batch: () => boolean,
): { notify: () => void; cancel: () => void } {
  let frame: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = (): void => {
    if (frame !== undefined) cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
    frame = undefined;
    timer = undefined;
  };
  const flush = (): void => {
    cancel();
    listener();
  };
  return {
    notify: () => {
      if (!batch()) {
        flush();
        return;
      }
      if (frame !== undefined || timer !== undefined) return;
      if (typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(flush);
      timer = setTimeout(flush, FALLBACK_MS);
    },
    cancel,
  };
}
