/**
 * The browser benchmark: how fast the web app shows a long chat, a terminal with history, and
 * the sessions list on a slow link, in real Chromium against a real server. Prints a table and
 * writes the "Web app in a browser" section of BENCHMARKS.md (between `<!-- web-bench:start -->`
 * and `<!-- web-bench:end -->`, leaving the rest of the file as it is).
 *
 *   npm run bench:web                       # builds, runs, writes BENCHMARKS.md
 *   node tests/web/dist/measure/web-bench/main.js --quick   # 1 run, short chat: a smoke test
 *
 * Timings do not belong in tests; they belong here.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { replaceMarkedBlock } from '../../../../../bench/dist/marked-blocks.js';
import { BatonProcess } from '../../harness/baton-process.js';
import { launchBrowser } from '../../harness/browser.js';
import { REPO_ROOT, tempDir, WEB_DIST } from '../../harness/paths.js';
import { measureChatOpen } from './chat-open.js';
import { LINK, measureColdLoad } from './cold-load.js';
import { renderWebSection, resultsTable } from './report.js';
import type { Samples } from './samples.js';
import { measureTerminalOpen } from './terminal-open.js';

const USAGE = `Usage: node tests/web/dist/measure/web-bench/main.js [--quick] [--runs N] [--out FILE] [--only chat,terminal,cold]
  --quick  one run of each, a chat of 100 messages and a terminal of 100 lines; prints only
  --runs   runs per measurement (default 11)
  --out    the file whose web-bench section is written (default BENCHMARKS.md; none with --quick)
  --only   which measurements (default all)
  --cpu-profile DIR  write a CPU profile of the last chat and terminal open into DIR and print
                     the functions with the most self time`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string', default: 'chat,terminal,cold' },
    'cpu-profile': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 1 : 11));
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`--runs must be a whole number of at least 1\n\n${USAGE}\n`);
  process.exit(2);
}
const only = new Set(values.only.split(','));
for (const name of only) {
  if (!['chat', 'terminal', 'cold'].includes(name)) {
    process.stderr.write(`--only takes chat, terminal, cold; not ${name}\n\n${USAGE}\n`);
    process.exit(2);
  }
}
const profileDir = values['cpu-profile'];
const out = values.out ?? (quick ? undefined : join(REPO_ROOT, 'BENCHMARKS.md'));

const loadBefore = loadavg()[0] ?? 0;
const browser = await launchBrowser();
const browserVersion = browser.version();
const results: Samples[] = [];
let baton: BatonProcess | undefined;
try {
  if (only.has('chat')) {
    results.push(
      ...(await measureChatOpen(browser, WEB_DIST, quick ? [100] : [1000, 300], runs, profileDir)),
    );
  }
  if (only.has('terminal') || only.has('cold')) {
    baton = await BatonProcess.start(tempDir('web-bench'), {
      SHELL: '/bin/bash',
      HOME: tempDir('web-bench-home'),
    });
    if (only.has('terminal'))
      results.push(await measureTerminalOpen(browser, baton, quick ? 100 : 1000, runs, profileDir));
    if (only.has('cold')) results.push(await measureColdLoad(browser, baton, runs));
  }
} finally {
  await baton?.close();
  await browser.close().catch(() => {});
}

process.stdout.write(`${resultsTable(results).join('\n')}\n`);
if (out) {
  const cpu = cpus();
  const section = renderWebSection(
    {
      command: `npm run bench:web${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()}, Node ${process.version}`,
      browser: `Chromium ${browserVersion}, headless, GPU off`,
      loadBefore,
      loadAfter: loadavg()[0] ?? 0,
      runs,
      link: `${LINK.latencyMs} ms RTT, ${LINK.downloadBitsPerSec / 1e6} Mbit/s down, ${LINK.uploadBitsPerSec / 1e3} kbit/s up (CDP Network.emulateNetworkConditions)`,
    },
    results,
  );
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : '# Benchmarks\n';
  const next = replaceMarkedBlock(previous, 'web-bench', section);
  // Formatted as `npm run format` would, so the file stays clean for format:check.
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(out)) ?? {};
  writeFileSync(out, await prettier.format(next, { ...options, filepath: out }));
  process.stderr.write(`wrote the web-bench section of ${out}\n`);
}
