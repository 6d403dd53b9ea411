import { useCallback, useEffect, useState } from 'react';
import { useBatonClient } from '@baton/react';
import type { DeviceListing } from '@baton/protocol';
import { errorText } from '../error-text.js';
import { useApi } from './api-context.js';

/** How often the list is read again (last seen, online) while the page is open. */
const REFRESH_MS = 5_000;

/**
 * The devices list (`GET /api/devices`), read when the page opens, every few seconds, when this
 * device changes, and after each change made here (`reload`).
 */
export function useDevices(): {
  devices: readonly DeviceListing[] | undefined;
  error: string | undefined;
  reload: () => void;
} {
  const api = useApi();
  const client = useBatonClient();
  const [devices, setDevices] = useState<readonly DeviceListing[]>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    let live = true;
    api<{ devices: DeviceListing[] }>('GET', '/api/devices').then(
      (r) => {
        if (!live) return;
        setDevices(r.devices);
        setError(undefined);
      },
      (err: unknown) => {
        if (live) setError(errorText(err));
      },
    );
    return () => {
      live = false;
    };
  }, [api, tick]);

  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    const off = client.on('device', reload);
    return () => {
      clearInterval(timer);
      off();
    };
  }, [client, reload]);

  return { devices, error, reload };
}
