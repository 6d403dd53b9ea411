import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { ConnectionMode } from '@baton/protocol';
import { ErrorNotice } from '../../../web/src/shell/error-notice.js';
import { ExtensionPairForm } from '../pairing/extension-pair-form.js';
import {
  loadExtensionCredential,
  type ExtensionCredential,
} from '../storage/extension-credential.js';
import { SignedIn } from './signed-in.js';

/** Where the page is: reading storage, not paired (with why, when known), or paired. */
type RootState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'unpaired'; readonly error?: string }
  | { readonly kind: 'paired'; readonly credential: ExtensionCredential };

/**
 * The root of an extension page (popup or side panel): reads the credential from
 * chrome.storage.local, shows the pairing form until there is one, then the page's view in
 * `mode`. Every way storage can go wrong ends in words on the page, never a blank one.
 */
export function ExtensionRoot({
  mode,
  children,
}: {
  mode: Extract<ConnectionMode, 'popup' | 'sidepanel'>;
  children: ReactNode;
}): ReactNode {
  const [state, setState] = useState<RootState>({ kind: 'loading' });
  const load = useCallback(() => {
    loadExtensionCredential().then(
      (stored) =>
        setState(
          stored.kind === 'paired'
            ? { kind: 'paired', credential: stored.credential }
            : stored.kind === 'corrupt'
              ? {
                  kind: 'unpaired',
                  error: `The extension's saved sign-in could not be read (${stored.problem}), so it was removed. Pair the extension again.`,
                }
              : { kind: 'unpaired' },
        ),
      (error: unknown) =>
        setState({
          kind: 'unpaired',
          error: `The extension's storage could not be read: ${error instanceof Error ? error.message : String(error)}. Pair the extension again.`,
        }),
    );
  }, []);
  useEffect(load, [load]);
  const unpair = useCallback((error: string) => setState({ kind: 'unpaired', error }), []);

  if (state.kind === 'loading') return <p className="loading">Starting baton…</p>;
  if (state.kind === 'unpaired')
    return (
      <main className="sign-in extension-pair" aria-labelledby="pair-title">
        <h1 id="pair-title">Pair the baton extension</h1>
        <ErrorNotice error={state.error} />
        <p>
          Get a pairing code on a device that is signed in: run <code>baton pair</code> on the
          computer that runs baton, or choose <strong>Add a device</strong> in the baton app. Paste
          the pairing link its QR code carries, or type the server&apos;s address and the code.
        </p>
        <p className="muted">
          baton must accept this extension: start it with{' '}
          <code>--allow-origin chrome-extension://{chrome.runtime.id}</code>.
        </p>
        <ExtensionPairForm onPaired={load} />
      </main>
    );
  return (
    <SignedIn credential={state.credential} mode={mode} onUnpaired={unpair}>
      {children}
    </SignedIn>
  );
}
