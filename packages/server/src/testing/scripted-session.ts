import type { NewLogEvent, SessionInfo } from '@baton/protocol';
import type { RunnerContext } from '../runners/runner.js';
import { ProtocolClient } from './protocol-client.js';
import type { scriptedRunnerFactory } from './scripted-runner-factory.js';
import { waitUntil } from './test-server.js';

/**
 * An agent session on a test server whose runner the test drives (`scriptedRunnerFactory`): the
 * connection that created it, the session, the runner's context, and `texts(count, bytes)`,
 * which makes that many `agent.text` events numbered across calls (`1 xxx…`, `2 xxx…`), each
 * about `bytes` long.
 */
export async function scriptedSession(
  server: { wsUrl: string; ownerToken: string },
  scripted: ReturnType<typeof scriptedRunnerFactory>,
): Promise<{
  writer: ProtocolClient;
  session: SessionInfo;
  ctx: RunnerContext;
  texts: (count: number, bytes?: number) => NewLogEvent[];
}> {
  const writer = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
  const { session } = await writer.request<{ session: SessionInfo }>({
    type: 'session.create',
    kind: 'claude',
  });
  await waitUntil(() => scripted.contexts.has(session.id), 'the runner to start');
  const ctx = scripted.contexts.get(session.id)!;
  let n = 0;
  const texts = (count: number, bytes = 40): NewLogEvent[] =>
    Array.from({ length: count }, () => {
      n++;
      return {
        type: 'agent.text',
        data: { messageId: `m${n}`, text: `${n} `.padEnd(bytes, 'x') },
      };
    });
  return { writer, session, ctx, texts };
}
