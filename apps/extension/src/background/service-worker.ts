/**
 * The extension's service worker. Chrome stops it after about 30 s idle, so it holds no
 * connection and no state: the popup and the side panel each own their socket for as long as
 * they are open (docs/web.md, "The Chrome extension"). All it does is register the side panel:
 * the toolbar button opens the popup, and the popup opens the panel.
 */
chrome.runtime.onInstalled.addListener(() => {
  void chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: false });
  void chrome.sidePanel.setOptions({ path: 'sidepanel.html', enabled: true });
});
