const NOT_YET = Symbol('not yet');

/** What a check returns to say "not yet", with what it saw for the timeout message. */
export interface NotYet {
  readonly [NOT_YET]: unknown;
}

/**
 * A check's "not yet" that carries what it saw. Use it, never a plain object: any object is
 * truthy, so returning `{ seen }` from a check would end the wait at once as a success.
 */
export function notYet(seen: unknown): NotYet {
  return { [NOT_YET]: seen };
}

function isNotYet(value: unknown): value is NotYet {
  return typeof value === 'object' && value !== null && NOT_YET in value;
}

/**
 * Polls `check` until it returns a truthy value other than `notYet(…)` and returns that value; fails after
 * `timeoutMs` with `what` and the last value seen. Generous defaults: the machine is shared.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<Exclude<NonNullable<T>, NotYet>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (isNotYet(last)) last = last[NOT_YET];
      else if (last) return last as Exclude<NonNullable<T>, NotYet>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${describe(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}
