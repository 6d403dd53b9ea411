/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A runner's output with every lone surrogate in its strings replaced by U+FFFD. A host signs
 * each `out` over the RFC 8785 canonical JSON of its body, and that form has no spelling for a
 * lone surrogate (an agent's JSON output can hold one, say a cut emoji): left in, the output
 * could not be signed and the session's output would stop. Returns the value itself when it
 * holds none (the common case allocates nothing).
 */
export function wellFormedOutput<T>(value: T): T {
  return fix(value) as T;
}

function fix(value: unknown): unknown {
  if (typeof value === 'string') {
    LONE_SURROGATE.lastIndex = 0;
    return LONE_SURROGATE.test(value) ? value.replace(LONE_SURROGATE, '\uFFFD') : value;
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const fixed = fix(item);
      if (fixed !== item) (out ??= [...value])[i] = fixed;
    });
    return out ?? value;
  }
  if (typeof value === 'object' && value !== null) {
    let out: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const fixed = fix(item);
      if (fixed !== item) (out ??= { ...value })[key] = fixed;
    }
    return out ?? value;
  }
  return value;
}
