import type { ReactNode } from 'react';

/** Shown when this browser holds no device credential: how to sign in. */
export function SignInScreen({ error }: { error?: string | undefined }): ReactNode {
  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <img src="/icons/icon.svg" alt="" width={64} height={64} />
      <h1 id="sign-in-title">Sign in to baton</h1>
      {error ? (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      ) : null}
      <p>
        This browser is not signed in yet. On the computer that runs baton, start it with{' '}
        <code>baton serve</code> (or <code>npm start</code>) and open the address it prints:
      </p>
      <pre className="sign-in-example">baton is serving at http://127.0.0.1:7777/#token=…</pre>
      <p>
        Opening that address once registers this browser as a device. Every window of this browser
        then shares the same sign-in; the token is removed from the address bar at once.
      </p>
    </main>
  );
}
