import { CliError, ExitCode } from './cli-error.js';
import type { CommandSpec } from './command-specs.js';
import { wholeNumber } from './whole-number.js';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
  /** Every value of a repeatable option, in order (see `CommandSpec.repeatable`). */
  lists: Map<string, string[]>;
  /** `--help` or `-h` was given: print the command's help and do nothing else. */
  help: boolean;
}

/**
 * Parses one command's arguments against its spec: `--name value`, `--name=value`, `--flag`,
 * `-h`/`--help`, and `--` ending the options. Anything the spec does not list is an error that
 * names it and points at `baton <command> --help`; nothing is ignored.
 */
export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const seeHelp = `see baton ${spec.name} --help`;
  const usage = (message: string) => new CliError(`${message}; ${seeHelp}`, ExitCode.Usage);
  // Help wins over every other mistake: `baton serve --bogus --help` prints help.
  const end = argv.indexOf('--');
  const options = end >= 0 ? argv.slice(0, end) : argv;
  if (options.includes('--help') || options.includes('-h'))
    return { positionals: [], flags, lists, help: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      if (spec.booleans.includes(name)) {
        if (eq > 0) throw usage(`--${name} takes no value`);
        flags.set(name, true);
      } else if (spec.values.includes(name)) {
        let value: string;
        if (eq > 0) value = arg.slice(eq + 1);
        else {
          const next = argv[i + 1];
          if (next === undefined) throw usage(`--${name} needs a value`);
          value = next;
          i++;
        }
        if (spec.repeatable?.includes(name)) lists.set(name, [...(lists.get(name) ?? []), value]);
        else if (flags.has(name)) throw usage(`--${name} is given twice; give it once`);
        flags.set(name, value);
      } else {
        throw usage(
          `unknown option '${clip(arg.slice(0, eq > 0 ? eq : undefined))}' for baton ${spec.name}`,
        );
      }
    } else if (arg.startsWith('-') && arg.length > 1 && spec.maxPositionals !== Infinity) {
      // Commands that take free text (send, rename) keep `-x` as text; the others have no
      // short options besides -h, so this is a mistake.
      throw usage(`unknown option '${clip(arg)}' for baton ${spec.name}`);
    } else {
      positionals.push(arg);
    }
  }
  if (positionals.length > spec.maxPositionals) {
    const extra = positionals.slice(spec.maxPositionals).map((p) => `'${clip(p)}'`);
    throw usage(
      spec.maxPositionals === 0
        ? `baton ${spec.name} takes no arguments, got ${extra.join(' ')}`
        : `unexpected argument ${extra.join(' ')} for baton ${spec.name}`,
    );
  }
  return { positionals, flags, lists, help: false };
}

function clip(s: string): string {
  const printable = s.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return printable.length > 60 ? printable.slice(0, 60) + '…' : printable;
}

/** Every value of a repeatable option, in the order given (empty when it is absent). */
export function flagList(args: ParsedArgs, name: string): string[] {
  return args.lists.get(name) ?? [];
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
  const n = wholeNumber(v);
  if (n === undefined || n < min || n > max) {
    throw new CliError(
      `--${name} must be a whole number from ${min} to ${max}, not '${v}'`,
      ExitCode.Usage,
    );
  }
  return n;
}
