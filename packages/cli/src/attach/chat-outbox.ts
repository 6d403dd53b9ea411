import type { BatonClient, OutboxEntry } from '@baton/client';
import type { ChatStyle } from './chat-format.js';
import type { ChatScreen } from './chat-screen.js';

/** This window's messages to the session that the server has not stored yet. */
export function unsentMessages(client: BatonClient, sessionId: string): OutboxEntry[] {
  return client.outbox
    .getSnapshot()
    .filter((e) => e.sessionId === sessionId && (e.status === 'pending' || e.status === 'sent'));
}

/**
 * Before leaving, gives messages still on their way a few seconds to be stored (a piped
 * `echo hi | baton attach` ends its input right after the message). What cannot be stored in
 * that time is reported, because the outbox lives in this process and ends with it.
 */
export async function settleOutbox(
  client: BatonClient,
  sessionId: string,
  screen: ChatScreen,
  s: ChatStyle,
): Promise<void> {
  const unsent = () => unsentMessages(client, sessionId);
  if (unsent().length === 0) return;
  screen.print(s.dim(`(waiting for ${unsent().length} message(s) to be stored…)`));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, 10_000);
    const off = client.outbox.subscribe(() => {
      if (unsent().length === 0) done();
    });
    function done() {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
  const left = unsent().length;
  if (left > 0)
    screen.print(
      s.red(`! ${left} message(s) were not sent: the server did not store them in time`),
    );
}
