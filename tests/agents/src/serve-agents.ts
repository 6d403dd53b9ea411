/**
 * A baton server with the Claude Code and Codex runners pointed at the test-installed CLIs, run
 * as its own process so a test can kill -9 it. Usage: node serve-agents.js DATA_DIR.
 * Prints `baton is serving at http://127.0.0.1:PORT/#token=TOKEN` once listening, like
 * `baton serve`.
 */
import { startServer } from '@baton/server';
import { createClaudeRunnerFactory } from '../../../packages/server/dist/runners/claude/index.js';
import { createCodexRunnerFactory } from '../../../packages/server/dist/runners/codex/index.js';
import { CLAUDE_BIN, CODEX_BIN } from './agent-env.js';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: node serve-agents.js DATA_DIR\n');
  process.exit(2);
}
const server = await startServer({
  dataDir,
  port: 0,
  logLevel: process.env.BATON_LOG ? 'debug' : 'warn',
  runners: [
    createClaudeRunnerFactory({ binary: CLAUDE_BIN }),
    createCodexRunnerFactory({ binary: CODEX_BIN }),
  ],
});
process.stdout.write(`baton is serving at ${server.url}/#token=${server.ownerToken}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
