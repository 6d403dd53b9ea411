import { CliError, ExitCode } from './cli-error.js';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/**
 * A small argv parser: `--name value`, `--name=value`, `--flag`, and `--` ending the flags.
 * `booleans` lists the flags that take no value.
 */
export function parseArgs(argv: readonly string[], booleans: ReadonlySet<string>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      if (eq > 0) flags.set(name, arg.slice(eq + 1));
      else if (booleans.has(name)) flags.set(name, true);
      else {
        const value = argv[i + 1];
        if (value === undefined) throw new CliError(`--${name} needs a value`, ExitCode.Usage);
        flags.set(name, value);
        i++;
      }
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, flags };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new CliError(`--${name} needs a value`, ExitCode.Usage);
  return v;
}

export function flagInt(
  args: ParsedArgs,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliError(
      `--${name} must be a whole number from ${min} to ${max}, not '${v}'`,
      ExitCode.Usage,
    );
  }
  return n;
}
