/** The native modules that only `baton serve` may need. */
export const BLOCKED_NATIVE_MODULES: ReadonlySet<string> = new Set(['better-sqlite3', 'node-pty']);

/** The error Node raises for a package that is not installed. */
export function notInstalled(name: string, code: string): Error {
  return Object.assign(new Error(`Cannot find package '${name}' (blocked by the test)`), { code });
}
