// The subpath, not '@baton/server': client commands must run without its native modules.
import { FileTooLargeError, readCappedFile } from '@baton/server/files';
import { CliError, ExitCode } from '../cli-error.js';
import { ConfigFile } from './config-file-schema.js';
import { describeConfigIssues } from './describe-config-issues.js';

/** Where the config file is looked for, and why there. */
export interface ConfigLocation {
  path: string;
  /** `--config`, `BATON_CONFIG`, or the data directory's config.json (may be absent). */
  from: '--config' | 'BATON_CONFIG' | 'data directory';
}

export interface LoadedConfig {
  location: ConfigLocation;
  /** Undefined when the data directory has no config.json (defaults apply). */
  file: ConfigFile | undefined;
}

/** Far more than any config holds; a path to something endless (/dev/zero) fails at once. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads and validates the config file. A file named by --config or BATON_CONFIG must exist; the
 * data directory's config.json is optional. Every problem is reported at once, each with its key.
 */
export function loadConfigFile(location: ConfigLocation): LoadedConfig {
  let text: string;
  try {
    text = readCappedFile(location.path, MAX_CONFIG_BYTES).toString('utf8');
  } catch (err) {
    if (err instanceof FileTooLargeError)
      throw new CliError(
        `the config file ${location.path} (from ${location.from}) is larger than 1 MiB, so it is not one; name the config file`,
        ExitCode.Usage,
      );
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' && location.from === 'data directory')
      return { location, file: undefined };
    const why =
      e.code === 'ENOENT'
        ? 'it does not exist'
        : e.code === 'EISDIR'
          ? 'it is a directory'
          : (e.code ?? e.message);
    throw new CliError(
      `cannot read the config file ${location.path} (from ${location.from}): ${why}; create it, or name another one`,
      ExitCode.Usage,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError(
      `the config file ${location.path} is not valid JSON: ${(err as Error).message}`,
      ExitCode.Usage,
    );
  }
  const parsed = ConfigFile.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const lines = describeConfigIssues(parsed.error.issues, ConfigFile);
    throw new CliError(
      `the config file ${location.path} has ${lines.length === 1 ? 'a mistake' : `${lines.length} mistakes`}:\n  ${lines.join('\n  ')}`,
      ExitCode.Usage,
    );
  }
  return { location, file: parsed.data };
}
