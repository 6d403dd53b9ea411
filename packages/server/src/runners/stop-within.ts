/** How long a runner's stop may take before whoever waits on it goes on without it. */
export const STOP_TIMEOUT_MS = 10_000;

/** `p`, or a rejection with `message` once `ms` passed without it settling. */
export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
