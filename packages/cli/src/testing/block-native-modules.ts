/**
 * Preload for tests (`node --import <this file>`): makes better-sqlite3 and node-pty impossible to
 * load in the process, through require() and import alike, as on a machine where they are not
 * installed. Used to prove that the client commands never need them.
 */
import Module, { register } from 'node:module';
import { BLOCKED_NATIVE_MODULES, notInstalled } from './blocked-native-modules.js';

type ResolveFilename = (this: unknown, request: string, ...rest: unknown[]) => string;
const cjs = Module as unknown as { _resolveFilename: ResolveFilename };
const resolveFilename = cjs._resolveFilename;
cjs._resolveFilename = function (request, ...rest) {
  if (BLOCKED_NATIVE_MODULES.has(request)) throw notInstalled(request, 'MODULE_NOT_FOUND');
  return resolveFilename.call(this, request, ...rest);
};
register(new URL('./block-native-modules-hooks.js', import.meta.url));
