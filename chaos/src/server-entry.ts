import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from '@baton/server';
import { idleRunnerFactory } from '@baton/server/testing';

/**
 * The server process the checker kills and restarts: the real `startServer` on a fixed port and
 * data directory, printing the same ready line as `baton serve`. Sessions of kind `claude` get the
 * idle runner (no agent binary is needed, and an agent session resumes after a restart, so inputs
 * keep flowing across kills). The built web app, when there is one, is served at / as
 * `baton serve` does.
 */

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    token: { type: 'string' },
    retention: { type: 'string' },
    durability: { type: 'string' },
    store: { type: 'string' },
    cluster: { type: 'boolean' },
    'lease-ms': { type: 'string' },
  },
});
if (!values.port || !values.data || !values.token) {
  process.stderr.write(
    'usage: server-entry --port PORT --data DIR --token TOKEN [--retention N] [--durability normal|full] [--store URL --cluster --lease-ms N]\n',
  );
  process.exit(2);
}
const durability = values.durability ?? 'normal';
if (durability !== 'normal' && durability !== 'full') {
  process.stderr.write(`--durability must be normal or full, not '${durability}'\n`);
  process.exit(2);
}
// Served at / as `baton serve` does, so hostile paths outside /api reach the static handler too.
const webRoot = fileURLToPath(new URL('../../apps/web/dist', import.meta.url));
const server = await startServer({
  ...(existsSync(join(webRoot, 'index.html')) ? { webRoot } : {}),
  port: Number(values.port),
  dataDir: values.data,
  ownerToken: values.token,
  logLevel: 'warn',
  durability,
  ...(values.retention !== undefined ? { retentionEvents: Number(values.retention) } : {}),
  ...(values.store !== undefined ? { store: values.store } : {}),
  ...(values.cluster === true
    ? { cluster: { leaseMs: Number(values['lease-ms'] ?? 10_000), pollMs: 500 } }
    : {}),
  runners: [idleRunnerFactory()],
});
process.stdout.write(`baton is serving at ${server.url}/#token=${server.ownerToken}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
