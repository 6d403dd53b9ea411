import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToString } from 'react-dom/server';
import { BatonClient, type WebSocketConstructor } from '@baton/client';
import { BatonProvider } from './baton-provider.js';
import { useConnection } from './use-connection.js';
import { useSession } from './use-session.js';
import { useSessions } from './use-sessions.js';
import { useBatonClient } from './use-baton-client.js';

/** No socket is ever opened: server rendering runs no effects. */
const NeverOpened = function () {
  throw new Error('server rendering must not open a socket');
} as unknown as WebSocketConstructor;

function View() {
  const connection = useConnection();
  const sessions = useSessions();
  const session = useSession('s_aaaaaaaaaaaaaaaaaaaa');
  return (
    <p>
      {connection.status}/{String(sessions.loaded)}/{session.status}/{session.events.length}
    </p>
  );
}

test('hooks read the provider client and render initial snapshots', () => {
  const client = new BatonClient({
    url: 'ws://127.0.0.1:1/v1/ws',
    token: 't',
    mode: 'tab',
    WebSocket: NeverOpened,
  });
  const html = renderToString(
    <BatonProvider client={client}>
      <View />
    </BatonProvider>,
  );
  assert.equal(
    html,
    '<p>disconnected<!-- -->/<!-- -->false<!-- -->/<!-- -->subscribing<!-- -->/<!-- -->0</p>',
  );
});

test('hooks outside a provider say what to do', () => {
  function Orphan() {
    useBatonClient();
    return null;
  }
  assert.throws(() => renderToString(<Orphan />), /inside <BatonProvider>/);
});
