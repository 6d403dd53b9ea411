/** Exit codes of the `baton` command. */
export const ExitCode = {
  Ok: 0,
  /** The server refused the request (unknown session, bad input, …). */
  Failed: 1,
  /** The command line was wrong. */
  Usage: 2,
  /** No server answered at the URL, or the credential was refused. */
  Unreachable: 3,
} as const;

/** An error the CLI reports as one line on stderr and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.Failed,
    /** The server's answer, when it refused the request: its error code and retry hint. */
    readonly refusal?: { code?: string; retryAfterMs?: number },
  ) {
    super(message);
    this.name = 'CliError';
  }
}
