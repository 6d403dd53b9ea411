import { useCallback, useEffect, useState } from 'react';
import { PANEL_SESSION_KEY } from './open-in-side-panel.js';

/**
 * The session the side panel shows: `?session=<id>` in its address when given, else the one the
 * popup last chose (chrome.storage.local), following later choices while the panel is open.
 * `choose` picks another from the panel itself; `leave` shows none (the picker).
 */
export function usePanelSession(): [string | undefined, (sessionId: string) => void, () => void] {
  const [fromAddress, setFromAddress] = useState(
    () => new URLSearchParams(window.location.search).get('session') ?? undefined,
  );
  const [chosen, setChosen] = useState<string>();
  useEffect(() => {
    let active = true;
    void chrome.storage.local.get(PANEL_SESSION_KEY).then((items) => {
      const value = items[PANEL_SESSION_KEY];
      if (active && typeof value === 'string') setChosen(value);
    });
    const changed = (changes: Record<string, { newValue?: unknown }>, area: string): void => {
      const value = changes[PANEL_SESSION_KEY]?.newValue;
      if (area === 'local' && typeof value === 'string') setChosen(value);
    };
    chrome.storage.onChanged.addListener(changed);
    return () => {
      active = false;
      chrome.storage.onChanged.removeListener(changed);
    };
  }, []);
  const choose = useCallback((sessionId: string): void => {
    setChosen(sessionId);
    void chrome.storage.local.set({ [PANEL_SESSION_KEY]: sessionId });
  }, []);
  const leave = useCallback((): void => {
    setChosen(undefined);
    setFromAddress(undefined);
    void chrome.storage.local.remove(PANEL_SESSION_KEY);
  }, []);
  return [chosen ?? fromAddress, choose, leave];
}
