import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { BatonProcess } from '../../harness/baton-process.js';
import { BrowserDevice, connected } from '../../harness/browser.js';
import { nodeDevice } from '../../harness/node-device.js';
import { tempDir } from '../../harness/paths.js';
import { waitFor } from '../../harness/wait-for.js';
import { startCpuProfile } from './cpu-profile.js';
import type { Samples } from './samples.js';

const PROMPT = 'bench$';

/**
 * Terminal open: from a click on the session in the list to the screen painted, for a real
 * bash in a real PTY that printed `seq 1 lines` (so the screen and its scrollback hold that
 * many lines of history). The shell reads only an rc file of ours (a fixed prompt, no history
 * file), so nothing of the machine's user shapes the output. Every run reloads the list first,
 * so the open includes the subscription, the snapshot and writing it into xterm.js.
 */
export async function measureTerminalOpen(
  browser: Browser,
  baton: BatonProcess,
  lines: number,
  runs: number,
  /** Where to write a CPU profile of the last run (and print its top functions). */
  profileDir?: string,
): Promise<Samples> {
  const home = tempDir('web-bench-shell');
  const rc = join(home, 'bench.bashrc');
  writeFileSync(rc, `PS1='${PROMPT} '\nHISTFILE=/dev/null\n`);
  const cli = await nodeDevice(baton.url, baton.ownerToken);
  const device = await BrowserDevice.create(browser);
  const name = `terminal of ${lines}`;
  try {
    const session = await cli.createSession({
      kind: 'terminal',
      name,
      config: { shell: '/bin/bash', args: ['--noprofile', '--rcfile', rc, '-i'], cwd: home },
    });
    const page = await device.open(baton.signInUrl);
    await page.goto(`${baton.url}/s/${session.id}`);
    await page.locator('.terminal-host .xterm-rows').waitFor();
    await waitFor('the prompt', () => screenShows(page, [PROMPT]));
    cli.send(session.id, { kind: 'terminal', data: `seq 1 ${lines}\r` });
    await waitFor('the output and the next prompt', () =>
      screenShows(page, [String(lines), PROMPT], true),
    );
    const times: number[] = [];
    let renderer = '';
    for (let run = 0; run < runs; run++) {
      await page.goto(`${baton.url}/`);
      await connected(page);
      await page.getByRole('link', { name }).first().waitFor();
      const stop =
        profileDir !== undefined && run === runs - 1
          ? await startCpuProfile(page, profileDir, `terminal-${lines}`)
          : undefined;
      const ms = await page.evaluate(
        async ({ name, last, prompt }) => {
          const anchor = [...document.querySelectorAll('a')].find(
            (a) => a.textContent?.includes(name) === true,
          );
          if (!anchor) throw new Error(`no link to ${name} in the list`);
          const start = performance.now();
          anchor.click();
          // The DOM renderer's rows: the last number, then the prompt on a later row.
          for (;;) {
            const rows = [...document.querySelectorAll('.terminal-host .xterm-rows > div')].map(
              (r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trim(),
            );
            const at = rows.indexOf(last);
            if (at >= 0 && rows.slice(at + 1).some((r) => r.startsWith(prompt))) break;
            await new Promise((r) => requestAnimationFrame(r));
          }
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          const total = performance.now() - start;
          const renderer =
            document.querySelector('[data-renderer]')?.getAttribute('data-renderer') ?? '?';
          return { total, renderer };
        },
        { name, last: String(lines), prompt: PROMPT },
      );
      if (stop) process.stderr.write(`${(await stop()).join('\n')}\n`);
      times.push(ms.total);
      renderer = ms.renderer;
    }
    if (device.errors.length > 0) throw new Error(`page errors: ${device.errors.join('; ')}`);
    return {
      name: `terminal open, ${lines.toLocaleString('en-US')} lines of history`,
      values: times,
      ...(lines === 1000 ? { target: '< 150 ms' } : {}),
      notes: [`${renderer} renderer`],
    };
  } finally {
    await device.close();
    await cli.close();
  }
}

/** Whether the screen's rows show each of `texts` (in order when `ordered`), as a check for waitFor. */
async function screenShows(
  page: Page,
  texts: readonly string[],
  ordered = false,
): Promise<boolean> {
  const rows = await page
    .locator('.terminal-host .xterm-rows > div')
    .evaluateAll((els) => els.map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trim()));
  let from = 0;
  for (const text of texts) {
    const at = rows.findIndex((r, i) => i >= from && (r === text || r.startsWith(text)));
    if (at < 0) return false;
    if (ordered) from = at + 1;
  }
  return true;
}
