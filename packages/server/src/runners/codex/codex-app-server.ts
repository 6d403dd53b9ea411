import { agentCwd, agentEnv, describeExit, type ProcessExit } from '../agent-common/index.js';
import type { ConversationHost } from '../agent-common/conversation-source.js';
import { RunnerError } from '../runner.js';
import { JsonRpcError, JsonRpcPeer } from './json-rpc-peer.js';

/** JSON-RPC's "method not found", baton's answer to a server request it does not handle. */
export const METHOD_NOT_FOUND = -32601;
/** How long a helper app-server may take for one answer. */
const HELPER_TIMEOUT_MS = 30_000;
/** A helper is asked to end with SIGTERM; this long after, it is killed. */
const HELPER_STOP_GRACE_MS = 2_000;

/** The handshake every app-server connection starts with: `initialize`, then `initialized`. */
export async function initializeCodex(peer: JsonRpcPeer, timeoutMs: number): Promise<void> {
  await peer.request(
    'initialize',
    { clientInfo: { name: 'baton', title: 'baton', version: '0.1.0' }, capabilities: null },
    timeoutMs,
  );
  peer.notify('initialized');
}

/**
 * Runs `ask` against a `codex app-server` started for it alone, outside any session (listing
 * threads, reading one to adopt), and ends that process and everything it started when `ask`
 * settles, however it settles. The process is recorded in `host.children` like a session's, so
 * a server crash in between never leaves it running. It runs with the host's binary, `env`,
 * `cwd` and `args`, so it sees the same `CODEX_HOME` as the session would.
 */
export async function withCodexAppServer<T>(
  host: ConversationHost,
  ask: (rpc: (method: string, params: unknown) => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const { config } = host;
  let exit: ProcessExit | undefined;
  const peer: JsonRpcPeer = new JsonRpcPeer(
    {
      binary: host.binary(),
      args: ['app-server', ...(config.args ?? [])],
      cwd: agentCwd(config),
      env: agentEnv(config),
      children: host.children,
    },
    {
      onNotification: () => undefined,
      onRequest: (id, method) =>
        peer.respondError(id, METHOD_NOT_FOUND, `baton does not handle '${method}' requests`),
      onNoise: () => undefined,
      onExit: (e) => {
        exit = e;
      },
    },
  );
  try {
    await initializeCodex(peer, HELPER_TIMEOUT_MS);
    return await ask((method, params) => peer.request(method, params, HELPER_TIMEOUT_MS));
  } catch (err) {
    if (err instanceof RunnerError) throw err;
    // Set by now if the process ended: the peer fails its pending calls from the same exit
    // handler, and their rejections run after it returned.
    if (exit) {
      throw new RunnerError(
        'agent_unavailable',
        `${describeExit('codex app-server', exit)}; check that Codex runs with this environment (CODEX_HOME, credentials)`,
      );
    }
    const why = err instanceof JsonRpcError ? err.message : (err as Error).message;
    throw new RunnerError('internal', `codex app-server: ${why}`);
  } finally {
    await peer.stop(HELPER_STOP_GRACE_MS);
  }
}
