/** ESM resolve hook of block-native-modules.ts: `import 'better-sqlite3'` fails as if not installed. */
import { BLOCKED_NATIVE_MODULES, notInstalled } from './blocked-native-modules.js';

type Next = (specifier: string, context: unknown) => Promise<unknown>;

export async function resolve(specifier: string, context: unknown, next: Next): Promise<unknown> {
  if (BLOCKED_NATIVE_MODULES.has(specifier)) throw notInstalled(specifier, 'ERR_MODULE_NOT_FOUND');
  return next(specifier, context);
}
