import type { AgentConfig, SessionKind, TerminalConfig } from '@baton/protocol';
import type { Logger } from '../logger.js';
import { RunnerError, type RunnerFactory } from '../runners/runner.js';
import type { HostDirectory } from './host-directory.js';
import type { OutLedger } from './out-ledger.js';
import { RemoteRunner } from './remote-runner.js';

const KINDS: readonly SessionKind[] = ['terminal', 'claude', 'codex'];

/**
 * A relay's runner factories, one per kind: every session runs on the host its config names
 * (`config.host`, an id or a name, stored as the id), through a RemoteRunner. A relay runs
 * nothing itself, so a session without a host is refused with the hosts there are.
 */
export function relayRunners(deps: {
  directory: HostDirectory;
  ledger: OutLedger;
  log: Logger;
}): RunnerFactory[] {
  return KINDS.map((kind) => ({
    kind,
    preflight: (config: TerminalConfig & AgentConfig) => {
      const hosts = deps.directory.list();
      const known =
        hosts.length === 0
          ? 'no host has connected yet: start `baton host --relay URL` on a machine'
          : `hosts: ${hosts.map((h) => `${h.name}${h.online ? '' : ' (offline)'}`).join(', ')}`;
      if (config.host === undefined)
        throw new RunnerError(
          'bad_request',
          `this server is a relay and runs sessions on hosts: name one (baton new --host NAME); ${known}`,
        );
      const id = deps.directory.resolve(config.host);
      if (id === undefined)
        throw new RunnerError('not_found', `no host is called '${config.host}'; ${known}`);
      return Promise.resolve({ ...config, host: id });
    },
    create: (ctx) => {
      const hostId = ctx.config.host;
      if (hostId === undefined)
        throw new RunnerError('bad_request', 'this session names no host; a relay cannot run it');
      return new RemoteRunner(ctx, hostId, deps);
    },
  }));
}
