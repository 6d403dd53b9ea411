import { AgentConfig, TerminalConfig, type SessionKind } from '@baton/protocol';
import { CliError, ExitCode } from '../cli-error.js';
import { flagInt, flagList, flagString, type ParsedArgs } from '../parse-args.js';

/** Options that only one family of session kinds takes, named in the error for the other. */
const TERMINAL_ONLY = ['shell', 'cols', 'rows'] as const;
const AGENT_ONLY = ['model', 'permission-mode', 'system-prompt', 'binary', 'resume'] as const;

/**
 * The config of `baton new <kind>` from its flags, checked here against the same schema the
 * server applies, so that a bad value is refused before anything is created, with the flag's
 * name in the message (the server would name the config key instead).
 */
export function sessionConfigFromFlags(
  kind: SessionKind,
  args: ParsedArgs,
): Record<string, unknown> {
  const isTerminal = kind === 'terminal';
  for (const name of isTerminal ? AGENT_ONLY : TERMINAL_ONLY) {
    if (args.flags.has(name))
      throw new CliError(
        `--${name} is for ${isTerminal ? 'claude and codex sessions' : 'terminal sessions'}, not ${kind}`,
        ExitCode.Usage,
      );
  }
  const config: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) config[key] = value;
  };
  set('cwd', flagString(args, 'cwd'));
  set('host', flagString(args, 'host'));
  const env = envFromFlags(flagList(args, 'env'));
  if (env) config['env'] = env;
  const extra = flagList(args, 'args');
  if (extra.length > 0) config['args'] = extra;
  if (isTerminal) {
    set('shell', flagString(args, 'shell'));
    const cols = flagInt(args, 'cols', 2, 1000) ?? process.stdout.columns;
    const rows = flagInt(args, 'rows', 1, 500) ?? process.stdout.rows;
    set('cols', cols);
    set('rows', rows);
  } else {
    set('model', flagString(args, 'model'));
    set('permissionMode', flagString(args, 'permission-mode'));
    set('systemPrompt', flagString(args, 'system-prompt'));
    set('binary', flagString(args, 'binary'));
    set('resume', flagString(args, 'resume'));
  }
  const checked = (isTerminal ? TerminalConfig : AgentConfig).strict().safeParse(config);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    throw new CliError(`${flagOf(key)}: ${issue.message}`, ExitCode.Usage);
  }
  return config;
}

/** The flag that sets a config key: every flag of `baton new` is its key in kebab case. */
function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `KEY=VALUE` pairs; a later value of the same key wins, as in a shell. */
function envFromFlags(pairs: string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new CliError(
        `--env takes KEY=VALUE with a name of letters, digits and _ (not starting with a digit), not '${pair.slice(0, 60)}'`,
        ExitCode.Usage,
      );
    env[key] = pair.slice(eq + 1);
  }
  return env;
}
