import { useEffect, useState, type ReactNode } from 'react';
import { BatonClient, type BatonClientOptions } from '@baton/client';
import { BatonContext } from './baton-context.js';

/** Props of `BatonProvider`: either a client the app made, or options to make one. */
export type BatonProviderProps =
  | { client: BatonClient; options?: never; children?: ReactNode }
  | { options: BatonClientOptions; client?: never; children?: ReactNode };

/**
 * Holds one `BatonClient` for the whole app and keeps it connected while mounted, whatever page
 * is shown, so the sessions list and every subscription stay current (put it at the root).
 * A client made from `options` is closed on unmount; a client passed in is left to its owner.
 *
 * @example
 * <BatonProvider options={{ url, token, mode: 'tab', storage }}>
 *   <App />
 * </BatonProvider>
 */
export function BatonProvider(props: BatonProviderProps): ReactNode {
  const [owned] = useState(() => (props.client ? null : new BatonClient(props.options)));
  const client = props.client ?? owned;
  if (!client) throw new Error('BatonProvider needs either a client or options');

  useEffect(() => {
    client.connect();
    if (client !== owned) return undefined;
    return () => {
      void client.close();
    };
  }, [client, owned]);

  return <BatonContext.Provider value={client}>{props.children}</BatonContext.Provider>;
}
