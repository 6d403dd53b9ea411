import { parseArgs } from 'node:util';
import { startServer } from '@baton/server';
import { idleRunnerFactory } from '@baton/server/testing';

/**
 * The server process the checker kills and restarts: the real `startServer` on a fixed port and
 * data directory, printing the same ready line as `baton serve`. Sessions of kind `claude` get the
 * idle runner (no agent binary is needed, and an agent session resumes after a restart, so inputs
 * keep flowing across kills).
 */

const { values } = parseArgs({
  options: { port: { type: 'string' }, data: { type: 'string' }, token: { type: 'string' } },
});
if (!values.port || !values.data || !values.token) {
  process.stderr.write('usage: server-entry --port PORT --data DIR --token TOKEN\n');
  process.exit(2);
}
const server = await startServer({
  port: Number(values.port),
  dataDir: values.data,
  ownerToken: values.token,
  logLevel: 'warn',
  runners: [idleRunnerFactory()],
});
process.stdout.write(`baton is serving at ${server.url}/#token=${server.ownerToken}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
