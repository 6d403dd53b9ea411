import { startServer } from '../server.js';
import type { LogLevel } from '../logger.js';
import { heldTurnAgent } from './held-turn-agent.js';

/**
 * Entry point of spawnServerProcess: `--data DIR --port N [--retention N] [--durability
 * normal|full] [--store postgres://…] [--cluster [--lease-ms N] [--poll-ms N]] [--token T] [--agent held]`. `--agent held` runs claude sessions with `heldTurnAgent`, whose
 * turns never end: for crash tests of what waits in the queue.
 */
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const retention = arg('retention');
const durability = arg('durability');
const store = arg('store');
const leaseMs = arg('lease-ms');
const token = arg('token');
const server = await startServer({
  port: Number(arg('port') ?? 0),
  dataDir: arg('data')!,
  logLevel: (process.env['BATON_LOG'] as LogLevel | undefined) ?? 'silent',
  ...(retention ? { retentionEvents: Number(retention) } : {}),
  ...(durability === 'full' || durability === 'normal' ? { durability } : {}),
  ...(store ? { store } : {}),
  ...(token ? { ownerToken: token } : {}),
  ...(args.includes('--cluster')
    ? { cluster: { leaseMs: Number(leaseMs ?? 10_000), pollMs: Number(arg('poll-ms') ?? 1_000) } }
    : {}),
  ...(arg('agent') === 'held' ? { runners: [heldTurnAgent().factory] } : {}),
});
process.stdout.write(`listening ${server.url} ${server.ownerToken}\n`);
process.on('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`close failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
