import { useCallback, useEffect, useState } from 'react';
import type { ServerSettings } from '@baton/protocol';
import { errorText } from '../error-text.js';
import { useApi } from './api-context.js';

/** The server's settings (who may read the audit log), and a way for the owner to change them. */
export function useServerSettings(): {
  settings: ServerSettings | undefined;
  error: string | undefined;
  update: (patch: Partial<ServerSettings>) => Promise<void>;
} {
  const api = useApi();
  const [settings, setSettings] = useState<ServerSettings>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    api<ServerSettings>('GET', '/api/settings').then(
      (s) => {
        if (live) setSettings(s);
      },
      (err: unknown) => {
        if (live) setError(errorText(err));
      },
    );
    return () => {
      live = false;
    };
  }, [api]);
  const update = useCallback(
    async (patch: Partial<ServerSettings>) => {
      try {
        setSettings(await api<ServerSettings>('PUT', '/api/settings', patch));
        setError(undefined);
      } catch (err) {
        setError(errorText(err));
      }
    },
    [api],
  );
  return { settings, error, update };
}
