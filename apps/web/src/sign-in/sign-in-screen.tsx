import type { ReactNode } from 'react';
import { PairForm } from '../pairing/pair-form.js';
import { isLoopbackHost } from './loopback.js';
import { ErrorNotice } from '../shell/error-notice.js';

/**
 * Shown when this browser holds no device credential: pair it with a code, or, on the computer
 * that runs baton (a loopback address), open the address `baton serve` printed.
 */
export function SignInScreen({ error }: { error?: string | undefined }): ReactNode {
  const loopback = isLoopbackHost(window.location.hostname);
  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <img src="/icons/icon.svg" alt="" width={64} height={64} />
      <h1 id="sign-in-title">Sign in to baton</h1>
      <ErrorNotice error={error} />
      <h2>Pair this device</h2>
      <p>
        Get a pairing code from a device that is already signed in: run <code>baton pair</code> on
        the computer that runs baton, or choose <strong>Add a device</strong> in baton on another
        signed-in browser. Scan its QR code, or type the code here:
      </p>
      <PairForm />
      {loopback ? (
        <>
          <h2>On the computer that runs baton</h2>
          <p>
            Start it with <code>baton serve</code> (or <code>npm start</code>) and open the address
            it prints:
          </p>
          <pre className="sign-in-example">baton is serving at http://127.0.0.1:7777/#token=…</pre>
          <p>
            Opening that address once registers this browser as a device. Every window of this
            browser then shares the same sign-in; the token is removed from the address bar at once.
            It works only on this computer’s own address (127.0.0.1 or localhost).
          </p>
        </>
      ) : null}
    </main>
  );
}
