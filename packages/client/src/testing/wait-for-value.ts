/**
 * Polls `check` until it returns a value, by time, not by turns of the event loop: work that
 * finishes on other threads (WebCrypto) can take any number of turns on a busy machine.
 */
export async function waitForValue<T>(
  check: () => T | undefined | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
