import { spawn, type ChildProcess } from 'node:child_process';
import { BATON_CLI, tempDir } from './agent-env.js';

/**
 * `baton attach <session>` with pipes for stdin and stdout (no terminal): one command per line
 * in, the chat view's plain text out.
 */
export class ChatProcess {
  private text = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Attaches to `sessionId` on the server at `url` with `token`. */
  static start(url: string, token: string, sessionId: string, ...args: string[]): ChatProcess {
    const env: Record<string, string | undefined> = {
      ...process.env,
      BATON_URL: url,
      BATON_TOKEN: token,
      BATON_HOME: tempDir('chat-home'),
    };
    const child = spawn(process.execPath, [BATON_CLI, 'attach', sessionId, ...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new ChatProcess(child);
  }

  /** Everything printed so far. */
  output(): string {
    return this.text;
  }

  /** Sends one line, as if typed and sent with Enter. */
  type(line: string): void {
    this.child.stdin!.write(line + '\n');
  }

  /** Polls the output until `pattern` matches it. */
  async waitFor(what: string, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.text)) {
      if (Date.now() > deadline) {
        throw new Error(`baton attach: timed out waiting for ${what}; it printed:\n${this.text}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** `/detach`, then waits for the process to end; resolves with its exit code. */
  async detach(): Promise<number | null> {
    this.type('/detach');
    return this.exited;
  }

  /** Ends the process if it is still running. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }
}
