import { z } from 'zod';

/**
 * A whole number in a URL query, written in decimal digits. `Number()` (and `z.coerce`) would
 * also read `0x10` as 16, `1e3` as 1000 and an empty value as 0: a client that sent one of those
 * meant something else, and is told so instead.
 */
export function queryInt(range: { min: number; max?: number }) {
  const n = z.number().int().min(range.min);
  return z
    .string()
    .regex(/^[0-9]{1,16}$/, 'expected a whole number in decimal digits')
    .transform(Number)
    .pipe(range.max === undefined ? n : n.max(range.max));
}
