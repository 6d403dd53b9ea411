/**
 * A document record's entry for a field, or undefined when it has none of its own. Field names
 * come from clients, and `constructor`, `toString` or `valueOf` are valid ones: a plain index
 * (`fields[field]`) finds `Object.prototype`'s members for them, which read as a value, a
 * version or an open conflict that was never written.
 */
export function ownField<T>(
  record: Readonly<Record<string, T>> | undefined,
  field: string,
): T | undefined {
  return record !== undefined && Object.hasOwn(record, field) ? record[field] : undefined;
}
