/** The session the side panel shows, kept where the popup and the panel both read it. */
export const PANEL_SESSION_KEY = 'baton.sidepanel.session';

let windowId: number | undefined;
// Asked when the popup loads, so a click can open the panel without awaiting anything first.
void chrome.windows.getCurrent().then(
  (w) => (windowId = w.id),
  () => undefined,
);

/**
 * Shows `sessionId` in the side panel of the popup's window. `chrome.sidePanel.open` must run
 * inside the click's user gesture, so it is called first, before any await; the panel (open
 * already, or opening) reads the session from storage and follows its changes.
 */
export async function openInSidePanel(sessionId: string): Promise<void> {
  const opening =
    windowId === undefined
      ? Promise.reject(new Error('the popup does not know its window yet; try again'))
      : chrome.sidePanel.open({ windowId });
  await chrome.storage.local.set({ [PANEL_SESSION_KEY]: sessionId });
  await opening;
}
