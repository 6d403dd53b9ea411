import { StrictMode, useCallback, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { registerServiceWorker } from './pwa/register-service-worker.js';
import { PairPage } from './pairing/pair-page.js';
import { takePairingFragment } from './pairing/pairing-fragment.js';
import { takeHandoffFragment } from './handoff/handoff-fragment.js';
import { RedeemScreen } from './handoff/redeem-screen.js';
import { SignInScreen } from './sign-in/sign-in-screen.js';
import { signIn, type SignInResult } from './sign-in/sign-in.js';
import { useHashSignIn } from './sign-in/use-hash-sign-in.js';
import { detectMode } from './window-mode.js';
import { ErrorBoundary } from './shell/error-boundary.js';
import { loadViewCache } from './offline/view-cache.js';
import './styles.css';

const mode = detectMode();
registerServiceWorker();
// A handoff link (`/s/<id>#handoff=…`) is redeemed first; the page reloads signed in after.
const handoff = takeHandoffFragment();
// Started once per page load: it consumes the #token fragment, which must happen exactly once.
// The saved views are read from IndexedDB meanwhile, so an offline start shows them at once.
const signedIn = handoff
  ? undefined
  : Promise.all([signIn(mode), loadViewCache()]).then(([result]) => result);
// The pairing page (what a pairing QR opens) comes before sign-in: the device has no credential
// yet. Its code is taken from the fragment once, like the token above.
const pairing = window.location.pathname === '/pair' ? takePairingFragment() : undefined;

function Root(): ReactNode {
  const [result, setResult] = useState<SignInResult>();
  useEffect(() => {
    let cancelled = false;
    void signedIn?.then((r) => {
      if (!cancelled) setResult(r);
    });
    return () => {
      cancelled = true;
    };
  }, []);
  const signedOut = useCallback((error: string) => setResult({ kind: 'signed-out', error }), []);
  // A signed-in window keeps its client; a pasted token only matters to a signed-out one.
  const pasted = useCallback(
    (r: SignInResult) => setResult((now) => (now?.kind === 'signed-in' ? now : r)),
    [],
  );
  useHashSignIn(mode, pasted);
  if (handoff) return <RedeemScreen link={handoff} />;
  if (!result) return <p className="loading">Starting baton…</p>;
  if (pairing) return <PairPage fragment={pairing} signedIn={result.kind === 'signed-in'} />;
  if (result.kind === 'signed-out') return <SignInScreen error={result.error} />;
  return (
    <App
      credential={result.credential}
      mode={mode}
      ownerToken={result.ownerToken}
      onSignedOut={signedOut}
    />
  );
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <ErrorBoundary what="baton">
      <Root />
    </ErrorBoundary>
  </StrictMode>,
);
