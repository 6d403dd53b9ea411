import { resolveSettings } from '../config/resolve-settings.js';
import { settingsAsJson, settingsAsText } from '../config/format-settings.js';
import type { ParsedArgs } from '../parse-args.js';

/**
 * `baton config`: the settings `baton serve` would run with, given the same flags, and where
 * each came from. Secrets (the owner token from BATON_TOKEN) are shown as set or not, never.
 */
export function config(args: ParsedArgs): void {
  const settings = resolveSettings(args);
  process.stdout.write(
    args.flags.has('json')
      ? JSON.stringify(settingsAsJson(settings), null, 2) + '\n'
      : settingsAsText(settings),
  );
}
