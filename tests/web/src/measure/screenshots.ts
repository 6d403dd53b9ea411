/**
 * Screenshots of every main screen for docs/web.md ("Screens"): sign-in, the sessions list, a
 * chat, a terminal, the devices page and adding a device, on a 390x844 phone and a 1280x800
 * desktop, light and dark. Not a test: run it by hand after a UI change and commit the images.
 *
 *   npx tsc -b packages/cli tests/web && npm run build:web
 *   node tests/web/dist/measure/screenshots.js [outDir=docs/web]
 *
 * A real server with the built app serves sessions that look used (see `populatedServer`):
 * a real shell with output, and a scripted agent whose conversation has Markdown, a code block,
 * a diff and a permission prompt that waits. Every shot waits for what its screen is for, never
 * for a fixed time. Each PNG is kept under 150 KB; a larger one is reported and fails the run.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BrowserDevice, launchBrowser } from '../harness/browser.js';
import { populatedServer, THEMES, VIEWPORTS } from '../harness/main-screens.js';
import { ensureDir, REPO_ROOT } from '../harness/paths.js';

const MAX_BYTES = 150 * 1024;
const outDir = ensureDir(resolve(process.argv[2] ?? join(REPO_ROOT, 'docs', 'web')));

const app = await populatedServer();
const browser = await launchBrowser();
const devices: BrowserDevice[] = [];
const written: string[] = [];
const tooLarge: string[] = [];
try {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    // A phone is a touch device too: the layout shows its phone-only parts (the extra keys).
    const options = size === 'phone' ? { viewport, isMobile: true, hasTouch: true } : { viewport };
    const signedIn = await BrowserDevice.create(browser, options);
    const signedOut = await BrowserDevice.create(browser, options);
    devices.push(signedIn, signedOut);
    const inPage = await signedIn.open(`${app.url}/#token=${app.ownerToken}`);
    // Answer the one-time "Name this device" question, so the screens show the app as it is
    // used every day, with the device named as a person would name it.
    const question = inPage.getByRole('region', { name: 'Name this device' });
    await question.waitFor();
    await question.getByLabel('Device name').fill(size === 'phone' ? 'iPhone' : 'Work laptop');
    await question.getByRole('button', { name: 'Use this name' }).click();
    await question.waitFor({ state: 'detached' });
    const outPage = await signedOut.open(`${app.url}/`, { connected: false });
    for (const screen of app.screens) {
      const page = screen.signedOut ? outPage : inPage;
      for (const theme of THEMES) {
        await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
        await page.goto(`${app.url}${screen.path}`);
        await screen.ready(page);
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        const file = join(outDir, `${screen.name}-${size}-${theme}.png`);
        await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
        const bytes = statSync(file).size;
        written.push(`${file} (${Math.round(bytes / 1024)} KB)`);
        if (bytes > MAX_BYTES) tooLarge.push(file);
      }
    }
  }
  const errors = devices.flatMap((d) => d.errors);
  if (errors.length > 0) throw new Error(`the pages logged errors:\n${errors.join('\n')}`);
} finally {
  for (const d of devices) await d.close().catch(() => {});
  await browser.close();
  await app.stop();
}
process.stdout.write(`${written.join('\n')}\n`);
if (tooLarge.length > 0) {
  process.stderr.write(`over ${MAX_BYTES / 1024} KB: ${tooLarge.join(', ')}\n`);
  process.exitCode = 1;
}
