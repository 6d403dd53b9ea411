import { useEffect, useState, type ReactNode } from 'react';
import { BatonClient, LocalStorageOutboxStorage } from '@baton/client';
import { BatonProvider } from '@baton/react';
import type { ConnectionMode } from '@baton/protocol';
import { ApiContext, makeApiCall } from '../../../web/src/devices/api-context.js';
import { DeviceDirectory } from '../../../web/src/devices/device-directory.js';
import { DeviceDirectoryContext } from '../../../web/src/devices/use-device-names.js';
import { DeviceIdContext, DeviceTokenContext } from '../../../web/src/sign-in/device-context.js';
import { saveCredential } from '../../../web/src/sign-in/device-credential.js';
import { serverWebSocketUrl, setServerOrigin } from '../../../web/src/server-origin.js';
import { WEBSOCKET_PATH } from '@baton/protocol';
import type { ExtensionCredential } from '../storage/extension-credential.js';
import { ServerStatus } from './server-status.js';
import { useReconnectTriggers } from '../../../web/src/shell/use-reconnect-triggers.js';
import { usePageVisibility } from '../../../web/src/notifications/use-page-visibility.js';
import { IndexedDbSealingStore } from '../../../web/src/sealing/indexed-db-sealing-store.js';
import { SealingStoreContext } from '../../../web/src/sealing/sealing-store-context.js';

/**
 * A paired extension page: its own `BatonClient` in `mode` (`popup` or `sidepanel`), under the
 * same providers as the web app's, so the web app's components work here unchanged.
 *
 * The page owns its socket, for the page's life: the popup's lives while the popup is open,
 * the side panel's while the panel is. The service worker holds none (it is stopped when idle;
 * see docs/web.md). Closing the page closes the socket and presence drops the window.
 */
export function SignedIn({
  credential,
  mode,
  onUnpaired,
  children,
}: {
  credential: ExtensionCredential;
  mode: Extract<ConnectionMode, 'popup' | 'sidepanel'>;
  onUnpaired: (reason: string) => void;
  children: ReactNode;
}): ReactNode {
  // The extension's keys for sealed sessions, in its own IndexedDB (its origin's): a relay's
  // sessions open here as in the web app once a host has added this device.
  const [sealingStore] = useState(() => new IndexedDbSealingStore(credential.deviceId));
  const [client] = useState(() => {
    // Set before any component asks for the server: the web app's HTTP helpers read it.
    setServerOrigin(credential.server);
    // The web app's components that call the HTTP API outside React (hand off) read the
    // credential from the page's localStorage; chrome.storage.local stays the one that is kept.
    saveCredential({ deviceId: credential.deviceId, token: credential.token });
    return new BatonClient({
      url: serverWebSocketUrl(WEBSOCKET_PATH),
      token: credential.token,
      mode,
      label: mode === 'popup' ? 'extension popup' : 'extension side panel',
      storage: new LocalStorageOutboxStorage(credential.deviceId),
      sealing: { store: sealingStore },
    });
  });
  // As in the web app: reconnect at once when the network or the page comes back, and tell the
  // server whether this page is looked at.
  useReconnectTriggers(client);
  usePageVisibility(client);
  useEffect(() => {
    const hide = (): void => void client.close();
    window.addEventListener('pagehide', hide);
    return () => window.removeEventListener('pagehide', hide);
  }, [client]);
  const [api] = useState(() => makeApiCall(credential.token));
  const [directory] = useState(() => new DeviceDirectory(api));
  return (
    <BatonProvider client={client}>
      <SealingStoreContext.Provider value={sealingStore}>
        <ApiContext.Provider value={api}>
          <DeviceDirectoryContext.Provider value={directory}>
            <DeviceIdContext.Provider value={credential.deviceId}>
              <DeviceTokenContext.Provider value={credential.token}>
                <ServerStatus server={credential.server} onUnpaired={onUnpaired} />
                {children}
              </DeviceTokenContext.Provider>
            </DeviceIdContext.Provider>
          </DeviceDirectoryContext.Provider>
        </ApiContext.Provider>
      </SealingStoreContext.Provider>
    </BatonProvider>
  );
}
