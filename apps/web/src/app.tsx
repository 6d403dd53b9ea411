import { useEffect, useState, type ReactNode } from 'react';
import { BatonClient } from '@baton/client';
import { BatonProvider, useConnection } from '@baton/react';
import type { ConnectionMode } from '@baton/protocol';
import { CloseCode } from '@baton/protocol';
import { AppHeader } from './shell/app-header.js';
import { AuditView } from './audit/audit-page.js';
import { ApiContext, makeApiCall } from './devices/api-context.js';
import { DeviceDirectory } from './devices/device-directory.js';
import { DeviceDirectoryContext } from './devices/use-device-names.js';
import { NameThisDevice } from './sign-in/name-this-device.js';
import { SessionsSidebar } from './sessions/sessions-sidebar.js';
import { useMediaQuery } from './use-media-query.js';
import { PHONE_QUERY, SIDEBAR_QUERY } from './layout-queries.js';
import { DevicesPage } from './devices/devices-page.js';
import { SessionsPage } from './sessions/sessions-page.js';
import { SessionPage } from './session/session-page.js';
import { useRoute } from './routing/use-route.js';
import { Link } from './routing/link.js';
import { isSessionId, SessionByName } from './routing/session-by-name.js';
import { ErrorBoundary } from './shell/error-boundary.js';
import { clearCredential, type DeviceCredential } from './sign-in/device-credential.js';
import { registerThisBrowser } from './sign-in/sign-in.js';
import { DeviceIdContext, DeviceTokenContext } from './sign-in/device-context.js';
import { AddDevicePage } from './pairing/add-device-page.js';
import { windowLabel } from './window-mode.js';
import { NotificationsPanel } from './notifications/notifications-panel.js';
import { usePageVisibility } from './notifications/use-page-visibility.js';
import { useReconnectTriggers } from './shell/use-reconnect-triggers.js';
import { ConnectionBanner } from './shell/connection-banner.js';
import { useLive } from './shell/use-live.js';
import { useAttentionTitle } from './shell/use-attention-title.js';
import { IndexedDbOutboxStorage } from './offline/indexed-db-outbox-storage.js';
import { IndexedDbDocumentWrites } from './offline/indexed-db-document-writes.js';
import { openTabChannel } from './offline/tab-channel.js';
import { IndexedDbSealingStore } from './sealing/indexed-db-sealing-store.js';
import { SealingStoreContext } from './sealing/sealing-store-context.js';

/** The server's WebSocket address: the page's own origin (the server serves the app). */
function webSocketUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/v1/ws`;
}

/**
 * The signed-in app: one `BatonClient` per window (its own connection), made once and kept for
 * the window's life, under a provider at the root that is always listening, whatever page is
 * shown, so the sessions list and the open session stay current (seed 002). The outbox and
 * offline document writes live in IndexedDB, scoped to the device, so they survive reloads and
 * an offline period; the windows of the profile share them at once over a BroadcastChannel
 * (docs/web.md, "Cross-tab sync"). This device's keys for sealed sessions are in IndexedDB
 * too: the client opens what the hosts this browser paired with sealed, and seals what it sends
 * them. Only a relay has sealed sessions, so on a plain server the store is never read.
 */
export function App({
  credential,
  mode,
  ownerToken,
  onSignedOut,
}: {
  credential: DeviceCredential;
  mode: ConnectionMode;
  ownerToken: string | undefined;
  onSignedOut: (reason: string) => void;
}): ReactNode {
  const [sealingStore] = useState(() => new IndexedDbSealingStore(credential.deviceId));
  const [client] = useState(
    () =>
      new BatonClient({
        url: webSocketUrl(),
        token: credential.token,
        mode,
        label: windowLabel(mode),
        storage: new IndexedDbOutboxStorage(credential.deviceId),
        documentStorage: new IndexedDbDocumentWrites(credential.deviceId),
        tabs: openTabChannel(credential.deviceId),
        sealing: { store: sealingStore },
      }),
  );

  usePageVisibility(client);
  useReconnectTriggers(client);

  useEffect(() => {
    // A clean close says goodbye, so presence drops this window at once.
    const hide = (): void => void client.close();
    const show = (event: PageTransitionEvent): void => {
      if (event.persisted) client.connect();
    };
    window.addEventListener('pagehide', hide);
    window.addEventListener('pageshow', show);
    return () => {
      window.removeEventListener('pagehide', hide);
      window.removeEventListener('pageshow', show);
    };
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
                <CredentialWatch
                  client={client}
                  mode={mode}
                  ownerToken={ownerToken}
                  onSignedOut={onSignedOut}
                />
                <Routes mode={mode} />
              </DeviceTokenContext.Provider>
            </DeviceIdContext.Provider>
          </DeviceDirectoryContext.Provider>
        </ApiContext.Provider>
      </SealingStoreContext.Provider>
    </BatonProvider>
  );
}

/**
 * When the server refuses this browser's device token (revoked, or a different server), sign in
 * again with the owner token this window was opened with, or go back to the sign-in screen.
 */
function CredentialWatch({
  client,
  mode,
  ownerToken,
  onSignedOut,
}: {
  client: BatonClient;
  mode: ConnectionMode;
  ownerToken: string | undefined;
  onSignedOut: (reason: string) => void;
}): ReactNode {
  const state = useConnection();
  useEffect(() => {
    if (state.status !== 'failed') return;
    const refused =
      state.closeCode === CloseCode.Unauthorized || state.closeCode === CloseCode.DeviceRevoked;
    if (!refused) return;
    void client.close();
    clearCredential();
    if (ownerToken) {
      registerThisBrowser(ownerToken, mode).then(
        () => window.location.reload(),
        (error: unknown) =>
          onSignedOut(`baton refused this browser and signing in again failed: ${String(error)}`),
      );
    } else {
      onSignedOut(
        `baton refused this browser's sign-in (${state.reason}). Pair it again with a new code, or on the computer that runs baton open the address baton serve printed.`,
      );
    }
  }, [state, client, mode, ownerToken, onSignedOut]);
  return null;
}

function Routes({ mode }: { mode: ConnectionMode }): ReactNode {
  const route = useRoute();
  const sessionId =
    route.page === 'session' && isSessionId(route.sessionId) ? route.sessionId : undefined;
  const live = useLive(sessionId);
  useAttentionTitle(sessionId);
  const phone = useMediaQuery(PHONE_QUERY);
  const sidebar = useMediaQuery(SIDEBAR_QUERY) && route.page === 'session';
  // On a phone a session has one bar (its own header, which holds the connection status and the
  // pages): the app's bar would be a second one.
  const oneBar = phone && route.page === 'session';
  return (
    <div className="app" data-live={live} data-one-bar={oneBar || undefined}>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      {oneBar ? null : <AppHeader sessionId={sessionId} mode={mode} />}
      <ConnectionBanner sessionId={sessionId} />
      <NameThisDevice />
      <div id="main" className={`app-main${sidebar ? ' with-sidebar' : ''}`}>
        {sidebar ? <SessionsSidebar current={sessionId} /> : null}
        <ErrorBoundary key={routeKey(route)} what="this page">
          {route.page === 'sessions' ? (
            <SessionsPage footer={<NotificationsPanel />} />
          ) : route.page === 'session' ? (
            isSessionId(route.sessionId) ? (
              <SessionPage key={route.sessionId} sessionId={route.sessionId} oneBar={oneBar} />
            ) : (
              <SessionByName name={route.sessionId} />
            )
          ) : route.page === 'add-device' ? (
            <AddDevicePage />
          ) : route.page === 'devices' ? (
            <DevicesPage />
          ) : route.page === 'audit' ? (
            <AuditView />
          ) : (
            <main className="page">
              <h1>Page not found</h1>
              <p>
                Nothing lives at <code>{route.path}</code>. <Link href="/">Go to the sessions</Link>
              </p>
            </main>
          )}
        </ErrorBoundary>
      </div>
    </div>
  );
}

/** Each route gets a fresh error boundary: a failure on one page does not follow you to the next. */
function routeKey(route: ReturnType<typeof useRoute>): string {
  return route.page === 'session' ? `session:${route.sessionId}` : route.page;
}
