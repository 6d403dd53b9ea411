import { useEffect, useState, type ReactNode } from 'react';
import { useBatonClient, useConnection } from '@baton/react';
import { CloseCode } from '@baton/protocol';
import { serverUrl } from '../../../web/src/server-origin.js';
import { clearExtensionCredential } from '../storage/extension-credential.js';

/** What a probe of `GET /api/health` found while the socket could not open. */
type Probe = 'unknown' | 'answers' | 'silent';

/**
 * The extension page's connection line. The web app is served by baton, so "offline" there
 * means the network; an extension page lives on without its server, so this says which server
 * is missing and what to do. A server that answers HTTP while the socket still fails has
 * refused the extension's origin (a refused upgrade looks like any failed socket to a page), so
 * it says how to allow it. A refused credential forgets the pairing and asks for a new one.
 */
export function ServerStatus({
  server,
  onUnpaired,
}: {
  server: string;
  onUnpaired: (reason: string) => void;
}): ReactNode {
  const client = useBatonClient();
  const state = useConnection();
  const [probe, setProbe] = useState<Probe>('unknown');
  const offline = state.status === 'reconnecting';
  const attempt = state.attempt;

  useEffect(() => {
    if (!offline) {
      setProbe('unknown');
      return undefined;
    }
    const abort = new AbortController();
    fetch(serverUrl('/api/health'), { cache: 'no-store', signal: abort.signal }).then(
      (res) => setProbe(res.ok ? 'answers' : 'silent'),
      () => {
        if (!abort.signal.aborted) setProbe('silent');
      },
    );
    return () => abort.abort();
  }, [offline, attempt]);

  useEffect(() => {
    if (state.status !== 'failed') return;
    const refused =
      state.closeCode === CloseCode.Unauthorized || state.closeCode === CloseCode.DeviceRevoked;
    if (!refused) return;
    void client.close();
    void clearExtensionCredential().then(() =>
      onUnpaired(
        `baton at ${server} refused this extension's sign-in (${state.reason}). Pair it again with a new code.`,
      ),
    );
  }, [state, client, server, onUnpaired]);

  const forget = (): void => {
    void client.close();
    void clearExtensionCredential().then(() => onUnpaired(''));
  };

  let text: string | undefined;
  if (state.status === 'failed') text = `baton at ${server} closed the connection: ${state.reason}`;
  else if (offline && probe === 'answers')
    text =
      `baton at ${server} answers but refuses this extension's connection. Start it with ` +
      `--allow-origin chrome-extension://${chrome.runtime.id} (or add that origin to ` +
      `allowedOrigins in its config file).`;
  else if (offline)
    text =
      `baton at ${server} cannot be reached. Is baton serve running there, and is this the ` +
      `right address? Next try in ${Math.max(1, Math.round(state.retryInMs / 1000))} s.`;
  if (!text) return null;
  return (
    <div
      className="connection-banner connection-banner-offline extension-status"
      role="alert"
      data-state={state.status === 'failed' ? 'failed' : probe === 'answers' ? 'refused' : 'down'}
    >
      <span className="connection-banner-text">{text}</span>
      {offline ? (
        <button type="button" onClick={() => client.reconnectNow()}>
          Try again now
        </button>
      ) : null}
      <button type="button" onClick={forget}>
        Pair with another server
      </button>
    </div>
  );
}
