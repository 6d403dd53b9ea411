import { parseArgs } from 'node:util';
import { startHost } from '@baton/server';

/**
 * `baton host` with sealing off (`startHost`'s `plaintext` option; the CLI has no flag for it):
 * the relay then reads the session as before sealed sessions. It runs beside a sealing
 * `baton host` on the same relay, so the report can split what the relay costs from what sealing
 * costs in one run. Prints the line `baton host` prints once the relay welcomed it.
 *
 * Usage: node plaintext-host.js --relay URL --code CODE --name NAME --data DIR
 */
const { values } = parseArgs({
  options: {
    relay: { type: 'string' },
    code: { type: 'string' },
    name: { type: 'string' },
    data: { type: 'string' },
  },
});
const { relay, code, name, data } = values;
if (!relay || !code || !name || !data) {
  throw new Error('usage: plaintext-host --relay URL --code CODE --name NAME --data DIR');
}
const host = await startHost({
  relay,
  dataDir: data,
  code,
  name,
  logLevel: 'warn',
  plaintext: true,
  onOnline: (_id, hostName) => process.stdout.write(`host ${hostName} is online at ${relay}\n`),
});
process.once('SIGTERM', () => {
  void host.close().finally(() => process.exit(0));
});
