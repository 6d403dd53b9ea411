/**
 * How long a long conversation takes to appear: from clicking a session in the list to its
 * last message painted, in real Chromium, median of several opens. A measurement to run by
 * hand (timings do not belong in tests):
 *
 *   npx tsc -b tests/web && npm run build:web
 *   OPENS=7 node tests/web/dist/measure/chat-open.js [messages=1000] [webRoot=apps/web/dist]
 *
 * The server is real; only the agent is a stand-in that answers the first message with
 * `messages` stored replies (Markdown paragraphs, lists and code blocks), so the page has a
 * transcript of that length to build.
 */
import { join } from 'node:path';
import type { NewLogEvent } from '@baton/protocol';
import { startTestServer } from '@baton/server/testing';
import { BrowserDevice, connected, launchBrowser } from '../harness/browser.js';
import { nodeDevice } from '../harness/node-device.js';
import { REPO_ROOT } from '../harness/paths.js';
import { waitFor } from '../harness/wait-for.js';

const messages = Number(process.argv[2] ?? 1000);
const webRoot = process.argv[3] ?? join(REPO_ROOT, 'apps', 'web', 'dist');
const OPENS = Number(process.env['OPENS'] ?? 7);

function reply(i: number): string {
  if (i % 10 === 3)
    return `Step ${i}: run this\n\n\`\`\`ts\nconst n = ${i};\nexport function f() {\n  return n * 2;\n}\n\`\`\``;
  if (i % 10 === 7)
    return `Reply ${i}, a list:\n\n- **one** thing\n- \`two\` things\n- [three](https://example.com)`;
  return `Reply ${i}: a paragraph of **Markdown** with \`code\`, long enough to wrap on a phone screen at least once or twice.`;
}

const server = await startTestServer({
  webRoot,
  runners: [
    {
      kind: 'claude',
      create: (ctx) => ({
        start: async () => {
          await ctx.setStatus('idle');
        },
        input: async (event) => {
          const events: NewLogEvent[] = [
            { type: 'agent.turn.started', data: { turnId: 't1', inputIds: [event.data.inputId] } },
          ];
          for (let i = 0; i < messages; i++) {
            events.push({ type: 'agent.text', data: { messageId: `m${i}`, text: reply(i) } });
          }
          events.push({ type: 'agent.turn.ended', data: { turnId: 't1', outcome: 'completed' } });
          await ctx.emit(events);
        },
        answerPermission: async () => {},
        interrupt: async () => {},
        resize: () => {},
        stop: async () => {},
      }),
    },
  ],
});
const url = `http://127.0.0.1:${server.port}`;
const cli = await nodeDevice(url, server.ownerToken);
const session = await cli.createSession({ kind: 'claude', name: 'long conversation' });
cli.send(session.id, { kind: 'message', text: 'go' });

const browser = await launchBrowser();
const device = await BrowserDevice.create(browser);
const page = await device.open(`${url}/#token=${server.ownerToken}`);
const last = `Reply ${messages - 1}`;
const times: number[] = [];
const busy: number[] = [];
try {
  await page.goto(`${url}/s/${session.id}`);
  await page.getByText(last).first().waitFor({ timeout: 600_000 });
  for (let run = 0; run < OPENS; run++) {
    await page.goto(`${url}/`);
    await connected(page);
    const link = page.getByRole('link', { name: 'long conversation' }).first();
    await link.waitFor();
    const ms = await page.evaluate(async (text) => {
      // Main-thread time in tasks over 50 ms while the chat opens: what the page itself spends,
      // apart from waiting for the server's events.
      let busy = 0;
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) busy += entry.duration;
      });
      observer.observe({ type: 'longtask' });
      const start = performance.now();
      const anchor = [...document.querySelectorAll('a')].find((a) =>
        a.textContent?.includes('long conversation'),
      );
      anchor?.click();
      for (;;) {
        if (document.querySelector('.transcript')?.textContent?.includes(text)) break;
        await new Promise((r) => requestAnimationFrame(r));
      }
      // The frame that shows it has been painted once the next frame starts.
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const total = performance.now() - start;
      await new Promise((r) => setTimeout(r, 100));
      observer.disconnect();
      return { total, busy };
    }, last);
    times.push(ms.total);
    busy.push(ms.busy);
  }
  await waitFor('no page errors', () => device.errors.length === 0 || device.errors, 1);
} finally {
  await device.close();
  await browser.close();
  await cli.close();
  await server.stop();
}
const median = (xs: number[]): number =>
  Math.round([...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!);
process.stdout.write(
  `${JSON.stringify({
    messages,
    webRoot,
    opens: times.length,
    medianMs: median(times),
    minMs: Math.round(Math.min(...times)),
    medianLongTasksMs: median(busy),
  })}\n`,
);
