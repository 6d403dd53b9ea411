/**
 * How much of a phone's screen a session leaves for its content: on a 390x844 viewport, the
 * height in px of the terminal's frame and of the chat's transcript, and of everything above
 * them. A measurement to run by hand against any build of the app (to compare before/after):
 *
 *   npx tsc -b tests/web && npm run build:web
 *   node tests/web/dist/measure/phone-space.js [webRoot=apps/web/dist]
 *
 * The server is real; the runners are idle stand-ins, so only the layout is measured.
 */
import { join } from 'node:path';
import { idleRunnerFactory, startTestServer } from '@baton/server/testing';
import { BrowserDevice, launchBrowser } from '../harness/browser.js';
import { nodeDevice } from '../harness/node-device.js';
import { REPO_ROOT } from '../harness/paths.js';

const webRoot = process.argv[2] ?? join(REPO_ROOT, 'apps', 'web', 'dist');

const server = await startTestServer({
  webRoot,
  runners: [idleRunnerFactory('claude'), idleRunnerFactory('terminal')],
});
const url = `http://127.0.0.1:${server.port}`;
const cli = await nodeDevice(url, server.ownerToken);
const terminal = await cli.createSession({ kind: 'terminal', name: 'phone shell' });
const chat = await cli.createSession({ kind: 'claude', name: 'phone chat' });

const browser = await launchBrowser();
const phone = await BrowserDevice.create(browser, {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
});
const out: Record<string, unknown> = { webRoot, viewport: '390x844' };
try {
  const page = await phone.open(`${url}/#token=${server.ownerToken}`);
  // Builds that ask for this device's name once: keep the suggestion, as most people would.
  const keep = page.getByRole('button', { name: /^Keep “/ });
  await keep.waitFor({ timeout: 3000 }).then(
    () => keep.click(),
    () => undefined,
  );
  for (const [name, id, selector] of [
    ['terminal', terminal.id, '.terminal-frame'],
    ['chat', chat.id, '.transcript'],
  ] as const) {
    await page.goto(`${url}/s/${id}`);
    await page.locator(selector).waitFor();
    // Let the layout settle (fonts, the panel folding away) before reading it.
    await page.evaluate(
      () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
    );
    out[name] = await page.evaluate((sel) => {
      const box = document.querySelector(sel)!.getBoundingClientRect();
      return { contentPx: Math.round(box.height), aboveContentPx: Math.round(box.top) };
    }, selector);
  }
} finally {
  await phone.close();
  await browser.close();
  await cli.close();
  await server.stop();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
