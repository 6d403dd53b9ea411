import type { AgentConversation } from '@baton/protocol';
import { agentEnv, asArray, asNumber, asObject, asString } from '../agent-common/index.js';
import type { ConversationHost, ConversationSource } from '../agent-common/conversation-source.js';
import { MAX_IMPORTED_EVENTS } from '../agent-common/imported-history.js';
import { RunnerError } from '../runner.js';
import { withCodexAppServer } from './codex-app-server.js';
import { codexHistory } from './codex-history.js';
import { codexHome } from './codex-preflight.js';
import { JsonRpcError } from './json-rpc-peer.js';

const TITLE_CHARS = 200;
/** Threads asked for per `thread/list` call. */
const THREADS_PER_PAGE = 100;
/** Turns asked for per `thread/turns/list` call. */
const TURNS_PER_PAGE = 100;
/** A listing counts the messages of this many of a thread's newest turns (a lower bound beyond). */
const COUNTED_TURNS = 500;
/** JSON-RPC "invalid request": what Codex answers for a thread id it does not have. */
const INVALID_REQUEST = -32600;

/**
 * Every source kind `thread/list` filters by, except sub-agents (threads Codex started for
 * itself): a thread made by `codex exec` or another client is as much the person's as one from
 * the TUI, and Codex lists only interactive ones by default.
 */
const SOURCE_KINDS = ['cli', 'vscode', 'exec', 'appServer', 'unknown'];

/**
 * The Codex threads on the host, as its app-server knows them (`thread/list`, `thread/read`,
 * `thread/turns/list`), asked of a `codex app-server` started for each question and ended right
 * after (withCodexAppServer). baton never reads Codex's rollout files: their format is Codex's.
 */
export const codexThreads: ConversationSource = {
  list: (host, limit) => withCodexAppServer(host, (rpc) => list(rpc, limit)),
  locate: (host, id) =>
    withCodexAppServer(host, async (rpc) => {
      const read = await known(host, id, rpc('thread/read', { threadId: id, includeTurns: false }));
      return { cwd: asString(asObject(asObject(read)?.thread)?.cwd) };
    }),
  history: (host, id) =>
    withCodexAppServer(host, async (rpc) => codexHistory(await turns(host, id, rpc))),
};

/** One JSON-RPC request to the helper app-server, with the helper's timeout. */
type Rpc = (method: string, params: unknown) => Promise<unknown>;

async function list(rpc: Rpc, limit: number): Promise<AgentConversation[]> {
  const out: AgentConversation[] = [];
  let cursor: string | undefined;
  do {
    const page = asObject(
      await rpc('thread/list', {
        limit: THREADS_PER_PAGE,
        sortKey: 'updated_at',
        // Present but empty: every model provider, not only the configured one.
        modelProviders: [],
        sourceKinds: SOURCE_KINDS,
        ...(cursor === undefined ? {} : { cursor }),
      }),
    );
    for (const thread of asArray(page?.data).map(asObject)) {
      if (out.length >= limit) break;
      const id = asString(thread?.id);
      if (!thread || !id || asString(thread.parentThreadId)) continue;
      // A thread whose turns cannot be read, or that holds no message, is left out.
      const count = await messageCount(rpc, id).catch(() => 0);
      if (count > 0) out.push(summary(thread, id, count));
    }
    cursor = asString(page?.nextCursor);
  } while (cursor !== undefined && out.length < limit);
  return out;
}

function summary(thread: Record<string, unknown>, id: string, count: number): AgentConversation {
  const title = (asString(thread.name) || asString(thread.preview) || '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, TITLE_CHARS);
  // Codex's times are Unix seconds.
  const updated = asNumber(thread.updatedAt) ?? asNumber(thread.createdAt) ?? 0;
  const cwd = asString(thread.cwd);
  return {
    kind: 'codex',
    id,
    ...(cwd ? { cwd } : {}),
    title,
    lastActivityAt: updated * 1000,
    messageCount: count,
  };
}

/** The person's and the agent's messages in the thread's newest COUNTED_TURNS turns. */
async function messageCount(rpc: Rpc, threadId: string): Promise<number> {
  const page = asObject(
    await rpc('thread/turns/list', { threadId, limit: COUNTED_TURNS, itemsView: 'summary' }),
  );
  let count = 0;
  for (const turn of asArray(page?.data).map(asObject))
    for (const item of asArray(turn?.items).map(asObject))
      if (item?.type === 'userMessage' || item?.type === 'agentMessage') count += 1;
  return count;
}

/**
 * The thread's turns with all their items, oldest first: paged newest first, and only as far
 * back as an import keeps (about MAX_IMPORTED_EVENTS items), so a huge thread is not read whole.
 */
async function turns(host: ConversationHost, id: string, rpc: Rpc): Promise<unknown[]> {
  const newestFirst: unknown[] = [];
  let items = 0;
  let cursor: string | undefined;
  do {
    const page = asObject(
      await known(
        host,
        id,
        rpc('thread/turns/list', {
          threadId: id,
          limit: TURNS_PER_PAGE,
          itemsView: 'full',
          sortDirection: 'desc',
          ...(cursor === undefined ? {} : { cursor }),
        }),
      ),
    );
    for (const turn of asArray(page?.data)) {
      newestFirst.push(turn);
      items += asArray(asObject(turn)?.items).length;
    }
    cursor = asString(page?.nextCursor);
  } while (cursor !== undefined && items < MAX_IMPORTED_EVENTS);
  return newestFirst.reverse();
}

/**
 * The answer to a request about thread `id`. Codex answers one it does not have (or an id that
 * is no thread id at all) with "invalid request": that is `not_found`, saying where baton
 * looked and how to list what is there.
 */
async function known(
  host: ConversationHost,
  id: string,
  answer: Promise<unknown>,
): Promise<unknown> {
  try {
    return await answer;
  } catch (err) {
    if (!(err instanceof JsonRpcError) || err.code !== INVALID_REQUEST) throw err;
    throw new RunnerError(
      'not_found',
      `no Codex thread ${id} in ${codexHome(agentEnv(host.config))} (${err.message}); list the ones there with \`baton conversations --kind codex\` (GET /api/agent-conversations?kind=codex)`,
    );
  }
}
