/**
 * A whole number as written on a command line, in a config file or in the environment: decimal
 * digits with an optional minus sign, spaces around them ignored. `Number()` alone would also
 * read `0x10` as 16, `1e2` as 100 and `0b1` as 1; whoever wrote those meant something else and
 * is told so. Undefined when `text` is not such a number.
 */
export function wholeNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^-?[0-9]{1,15}$/.test(t)) return undefined;
  return Number(t);
}
