import type { z } from 'zod';

/**
 * One line per problem in a config file, each naming the key as it is written in the file
 * (`log.format`) and what to do. For an unknown key the line lists the keys that are known at
 * that place, so a typo is found at once.
 */
export function describeConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
): string[] {
  return issues.map((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path);
      const where = at ? ` in "${at}"` : '';
      const keys = issue.keys.map((k) => `"${at ? `${at}.` : ''}${k}"`).join(', ');
      return `${keys} ${issue.keys.length > 1 ? 'are not settings' : 'is not a setting'}${where}; the keys here are ${known.join(', ')} (see docs/operations.md)`;
    }
    return `"${at || '(the whole file)'}" ${what(issue)}${found(issue)}`;
  });
}

function what(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return issue.expected === 'object'
        ? 'must be an object ({ … })'
        : issue.expected === 'array'
          ? 'must be a list ([ … ])'
          : `must be a ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'string'
        ? 'must not be empty'
        : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

/** What the file held there, when short enough to quote. */
function found(issue: z.core.$ZodIssue): string {
  if (!('input' in issue) || issue.input === undefined) return '';
  const shown = JSON.stringify(issue.input);
  return shown !== undefined && shown.length <= 60 ? ` (found ${shown})` : '';
}

/** The keys an object schema accepts at `path` (through optional wrappers). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const key of [...path, undefined]) {
    node = unwrap(node);
    const shape = (node as { shape?: Record<string, unknown> }).shape;
    if (!shape) return [];
    if (key === undefined) return Object.keys(shape);
    node = shape[String(key)];
  }
  return [];
}

function unwrap(node: unknown): unknown {
  let n = node as { unwrap?: () => unknown } | undefined;
  while (n && typeof n.unwrap === 'function') n = n.unwrap() as typeof n;
  return n;
}
