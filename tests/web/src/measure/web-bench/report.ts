import { summarize, type Samples } from './samples.js';

/** Where and how a run happened, printed above its table. */
export interface WebBenchContext {
  command: string;
  date: string;
  machine: string;
  browser: string;
  /** 1-minute load average before and after the run. */
  loadBefore: number;
  loadAfter: number;
  runs: number;
  link: string;
}

const ms = (v: number): string => (Number.isFinite(v) ? String(Math.round(v)) : '–');

/** The figures as a Markdown table: one row per measurement, median and p90 of its runs. */
export function resultsTable(results: readonly Samples[]): string[] {
  const rows = results.map((r) => {
    const { median, p90 } = summarize(r.values);
    return `| ${r.name} | ${r.values.length} | ${ms(median)} | ${ms(p90)} | ${r.target ?? ''} | ${r.notes.join('; ')} |`;
  });
  return [
    '| measurement | runs | median (ms) | p90 (ms) | target | also measured |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

/** The "Web app in a browser" section of BENCHMARKS.md. */
export function renderWebSection(context: WebBenchContext, results: readonly Samples[]): string {
  return [
    '## Web app in a browser',
    '',
    'The web app in real Chromium (headless, playwright-core) against a real server, measured',
    'by `npm run bench:web` (`tests/web/src/measure/web-bench/`); see docs/benchmarks.md for',
    'the method. Every open starts from a reloaded sessions list and is timed in the page, from',
    'the click to the frame after the one that shows the last message or line.',
    '',
    `- Command: \`${context.command}\``,
    `- Date: ${context.date}`,
    `- Machine: ${context.machine}`,
    `- Browser: ${context.browser}`,
    `- Load average (1 min): ${context.loadBefore.toFixed(2)} at the start, ${context.loadAfter.toFixed(2)} at the end`,
    `- Runs per measurement: ${context.runs}; cold-load link: ${context.link}`,
    '',
    ...resultsTable(results),
    '',
  ].join('\n');
}
