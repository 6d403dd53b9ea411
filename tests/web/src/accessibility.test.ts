import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seriousAxeProblems } from './harness/axe.js';
import { BrowserSuite } from './harness/browser-suite.js';
import { mainScreensServer, THEMES, VIEWPORTS } from './harness/main-screens.js';

// Issue 11: keep the app accessible, checked by axe-core in the browser suite. Every main
// screen (sign-in, sessions, a chat with a tool card and a waiting permission prompt, a
// terminal, devices, adding a device), light and dark, on a 1280x800 desktop and a 390x844
// touch phone, has no serious or critical violation: contrast, names and labels, landmarks,
// ARIA. One server; one signed-in and one signed-out page per size, reused across screens.
describe('accessibility of the main screens (axe-core, issue 11)', { timeout: 300_000 }, () => {
  const s = new BrowserSuite('a11y', mainScreensServer);

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    it(`has no serious or critical violations on the ${size}, light or dark`, async () => {
      const app = s.baton;
      const options =
        size === 'phone' ? { viewport, isMobile: true, hasTouch: true } : { viewport };
      const signedIn = await s.device(options);
      const signedOut = await s.device(options);
      const inPage = await signedIn.open(`${app.url}/#token=${app.ownerToken}`);
      const outPage = await signedOut.open(`${app.url}/`, { connected: false });
      const found: string[] = [];
      for (const screen of app.screens) {
        const page = screen.signedOut ? outPage : inPage;
        for (const theme of THEMES) {
          await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
          await page.goto(`${app.url}${screen.path}`);
          await screen.ready(page);
          for (const p of await seriousAxeProblems(page))
            found.push(
              `${screen.name} ${theme}: ${p.rule} (${p.impact}) ${p.help} at ${p.targets.join(' | ')}`,
            );
        }
      }
      assert.deepEqual(found, []);
    });
  }
});
