import type { Browser } from 'playwright-core';
import type { NewLogEvent } from '@baton/protocol';
import { startTestServer } from '@baton/server/testing';
import { BrowserDevice, connected } from '../../harness/browser.js';
import { nodeDevice } from '../../harness/node-device.js';
import { startCpuProfile } from './cpu-profile.js';
import type { Samples } from './samples.js';

/**
 * Chat open: from a click on the session in the list to its last message painted, for a
 * conversation of each given length. The server is real (in this process, on port 0, with its
 * own SQLite file); only the agent is a stand-in that answers a message "N" with N stored
 * replies (Markdown paragraphs, lists and code blocks), so the page has a transcript of exactly
 * that length to build. Every run reloads the list first and removes the views saved for
 * offline use, so the client holds nothing of the session and the open includes the
 * subscription and the whole replay.
 */
export async function measureChatOpen(
  browser: Browser,
  webRoot: string,
  lengths: readonly number[],
  runs: number,
  /** Where to write a CPU profile of the last run (and print its top functions). */
  profileDir?: string,
): Promise<Samples[]> {
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
            const payload = event.data.payload;
            const count = payload.kind === 'message' ? Number(payload.text) : 0;
            const events: NewLogEvent[] = [
              {
                type: 'agent.turn.started',
                data: { turnId: 't1', inputIds: [event.data.inputId] },
              },
            ];
            for (let i = 0; i < count; i++) {
              events.push({
                type: 'agent.text',
                data: { messageId: `m${i}`, text: reply(i, count) },
              });
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
  const device = await BrowserDevice.create(browser);
  const results: Samples[] = [];
  try {
    const page = await device.open(`${url}/#token=${server.ownerToken}`);
    for (const length of lengths) {
      const name = `chat of ${length}`;
      const session = await cli.createSession({ kind: 'claude', name });
      cli.send(session.id, { kind: 'message', text: String(length) });
      const last = lastLine(length);
      // Once, to have the whole conversation stored before any timed open.
      await page.goto(`${url}/s/${session.id}`);
      await page.getByText(last).first().waitFor({ timeout: 600_000 });
      const times: number[] = [];
      const busy: number[] = [];
      for (let run = 0; run < runs; run++) {
        // Without the view saved for offline use, which would show the conversation as saved
        // before the live one arrives: this measures the live open. The window reads the saved
        // views once when it loads, so they are removed before the load.
        await page.evaluate(
          () =>
            new Promise<void>((resolve) => {
              const open = indexedDB.open('baton');
              open.onsuccess = () => {
                const db = open.result;
                if (!db.objectStoreNames.contains('views')) return resolve();
                const tx = db.transaction('views', 'readwrite');
                tx.objectStore('views').clear();
                tx.oncomplete = () => resolve();
              };
              open.onerror = () => resolve();
            }),
        );
        await page.goto(`${url}/`);
        await connected(page);
        await page.getByRole('link', { name }).first().waitFor();
        const stop =
          profileDir !== undefined && run === runs - 1
            ? await startCpuProfile(page, profileDir, `chat-${length}`)
            : undefined;
        const ms = await page.evaluate(
          async ({ name, last }) => {
            // Main-thread time in tasks over 50 ms while the chat opens: what the page itself
            // spends, apart from waiting for the server's events.
            let busy = 0;
            const observer = new PerformanceObserver((list) => {
              for (const entry of list.getEntries()) busy += entry.duration;
            });
            observer.observe({ type: 'longtask' });
            const anchor = [...document.querySelectorAll('a')].find(
              (a) => a.textContent?.includes(name) === true,
            );
            if (!anchor) throw new Error(`no link to ${name} in the list`);
            const start = performance.now();
            anchor.click();
            for (;;) {
              if (document.querySelector('.transcript')?.textContent?.includes(last)) break;
              await new Promise((r) => requestAnimationFrame(r));
            }
            // The frame that shows it has been painted once the next frame starts.
            await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            const total = performance.now() - start;
            await new Promise((r) => setTimeout(r, 100));
            observer.disconnect();
            return { total, busy };
          },
          { name, last },
        );
        if (stop) process.stderr.write(`${(await stop()).join('\n')}\n`);
        times.push(ms.total);
        busy.push(ms.busy);
      }
      const sortedBusy = [...busy].sort((a, b) => a - b);
      results.push({
        name: `chat open, ${length.toLocaleString('en-US')} messages`,
        values: times,
        ...(length === 1000 ? { target: '< 300 ms' } : {}),
        notes: [
          `long tasks, median ${Math.round(sortedBusy[Math.floor(busy.length / 2)] ?? 0)} ms`,
        ],
      });
    }
    if (device.errors.length > 0) throw new Error(`page errors: ${device.errors.join('; ')}`);
  } finally {
    await device.close();
    await cli.close();
    await server.stop();
  }
  return results;
}

/** The text of the last message: a paragraph, unique among the replies. */
function lastLine(count: number): string {
  return `Reply ${count - 1}: the last one`;
}

function reply(i: number, count: number): string {
  if (i === count - 1) return `${lastLine(count)}, a paragraph of **Markdown**.`;
  if (i % 10 === 3)
    return `Step ${i}: run this\n\n\`\`\`ts\nconst n = ${i};\nexport function f() {\n  return n * 2;\n}\n\`\`\``;
  if (i % 10 === 7)
    return `Reply ${i}, a list:\n\n- **one** thing\n- \`two\` things\n- [three](https://example.com)`;
  return `Reply ${i}: a paragraph of **Markdown** with \`code\`, long enough to wrap on a phone screen at least once or twice.`;
}
