import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '@baton/server';
import { serveIpc, signalReady } from '../ipc.js';
import { idleRunnerFactory } from '@baton/server/testing';
import { statsHandlers, type CommitTotals } from './server-stats.js';

/**
 * The real baton server (`startServer`), on a fresh data directory, with one change: sessions of
 * kind `claude` get a runner that takes each input and does nothing else, so what is measured is
 * the log (commit before ack) and the fan-out, not an agent. Terminal sessions keep the real PTY
 * runner (the flood scenario uses it). `--durability normal|full` and `--store postgres://…` are
 * passed to the server as they are.
 */
const { values } = parseArgs({
  options: { durability: { type: 'string', default: 'normal' }, store: { type: 'string' } },
});
const durability = values.durability;
if (durability !== 'normal' && durability !== 'full') {
  throw new Error(`--durability must be normal or full, not '${durability}'`);
}
const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
const server = await startServer({
  dataDir,
  port: 0,
  logLevel: 'warn',
  durability,
  ...(values.store !== undefined ? { store: values.store } : {}),
  runners: [idleRunnerFactory()],
});
// The server's own histogram of events per group commit (served at /metrics): its count is the
// commits, its sum the events stored by them. Read in-process, so that taking the figure adds no
// request, and no module loaded for it, around the measured phase.
const commitTotals: CommitTotals = async () => {
  const { values } = await server.metrics.commitBatchEvents.get();
  const value = (suffix: string) =>
    values.find((v) => v.metricName === `baton_commit_batch_events_${suffix}`)?.value;
  const commits = value('count');
  const events = value('sum');
  return commits === undefined || events === undefined ? undefined : { commits, events };
};
serveIpc({
  ...statsHandlers(commitTotals),
  stop: async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    setImmediate(() => process.exit(0));
    return {};
  },
});
signalReady({
  url: server.wsUrl,
  port: server.port,
  httpUrl: server.url,
  ownerToken: server.ownerToken,
});
