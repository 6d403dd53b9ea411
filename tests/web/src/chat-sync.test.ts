import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { startFakeAnthropic, type ScriptedModelApi } from './harness/fake-model-api.js';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, launchBrowser, screenshot } from './harness/browser.js';
import {
  listedStatus,
  sessionCard,
  transcript,
  vanishedMessages,
  watchForVanishingMessages,
  openNewSession,
  chooseSessionAction,
} from './harness/app-page.js';
import { messageState, sendMessage, waitForQuiet } from './harness/chat.js';
import { claudeServerEnv, claudeSessionEnv } from './harness/claude-env.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

// Seed 002: the sessions list did not update while the chat was open, Stop said "already
// finished", the user's message vanished on resume, order changed, and the system prompt showed
// as the user's first message. Real Claude Code against a scripted model API, real server,
// real browser: window A chats, window B of the same browser watches the list.
describe(
  'chat in one window, the sessions list in another (seed 002)',
  { timeout: 300_000 },
  () => {
    let api: ScriptedModelApi;
    let baton: BatonProcess;
    let browser: Browser;
    let laptop: BrowserDevice;
    let phone: BrowserDevice;
    let a: Page;
    let b: Page;
    let sessionUrl = '';
    const work = tempDir('chat-work');
    const apis: ScriptedModelApi[] = [];
    const clients: BatonClient[] = [];

    before(async () => {
      api = await startFakeAnthropic();
      apis.push(api);
      baton = await BatonProcess.start(tempDir('chat'), claudeServerEnv(api, tempDir('chat-env')));
      browser = await launchBrowser();
      laptop = await BrowserDevice.create(browser);
      phone = await BrowserDevice.create(browser);
      a = await laptop.open(baton.signInUrl);
      b = await laptop.open(`${baton.url}/`);
      await watchForVanishingMessages(a);
      await watchForVanishingMessages(b);
    });
    after(async () => {
      for (const c of clients) await c.close();
      await laptop?.close().catch(() => {});
      await phone?.close().catch(() => {});
      await browser?.close();
      await baton?.close();
      for (const x of apis) await x.close();
      assert.deepEqual([...(laptop?.errors ?? []), ...(phone?.errors ?? [])], [], 'no page errors');
    });

    it('B shows the new conversation running, then finished, without a reload', async () => {
      await openNewSession(a);
      await a.getByLabel('Kind').selectOption('claude');
      await a.getByLabel('Name (optional)').fill('pairing chat');
      await a.getByLabel('Working directory (optional)').fill(work);
      await a.getByRole('button', { name: 'Create' }).click();
      await a.waitForURL(/\/s\/s_[a-z2-7]{20}$/);
      sessionUrl = a.url();
      await sessionCard(b, 'pairing chat').waitFor();
      await watchForVanishingMessages(a);

      api.script({
        kind: 'text',
        text: 'Hello! **Markdown** works, <b>raw html</b> does not, and `code` does.',
        chunks: 10,
        delayMs: 150,
      });
      await sendMessage(a, 'first question');
      // The user's message is there at once, before any server answer is needed.
      assert.match(await messageState(a, 'first question', 5_000), /pending|sent|queued/);

      await waitFor(
        'B to list the session as running',
        async () => (await listedStatus(b, 'pairing chat')) === 'running',
      );
      await screenshot(b, 'sessions-list-running');
      await waitFor(
        'B to list the session as idle',
        async () => (await listedStatus(b, 'pairing chat')) === 'idle',
        60_000,
      );
      await waitForQuiet(a);

      assert.deepEqual(await transcript(a), [
        'user: first question',
        'agent: Hello! Markdown works, <b>raw html</b> does not, and code does.',
      ]);
      assert.equal(await messageState(a, 'first question'), 'sent');
      assert.equal(await a.locator('.markdown strong').count(), 1, 'Markdown is rendered');
      assert.equal(
        await a.locator('.markdown b').count(),
        0,
        'raw HTML is shown as text, never rendered',
      );
      assert.deepEqual(await vanishedMessages(b), [], 'B never reloaded');
      await screenshot(a, 'chat-first-turn');
    });

    it('Stop in the chat interrupts the turn, and B sees the session stop running', async () => {
      api.script({ kind: 'text', text: 'word '.repeat(200), chunks: 100, delayMs: 200 });
      await sendMessage(a, 'tell me a very long story');
      await a.locator('.msg-assistant.streaming').first().waitFor({ timeout: 30_000 });
      await waitFor(
        'B to list it running',
        async () => (await listedStatus(b, 'pairing chat')) === 'running',
      );
      await a.getByRole('button', { name: "Stop the agent's current turn" }).click();
      await a.locator('.msg-turn-end.turn-interrupted').waitFor({ timeout: 30_000 });
      assert.equal(
        await a.locator('.composer [role="alert"]').count(),
        0,
        'Stop reported no error',
      );
      await waitFor(
        'B to list it idle again',
        async () => (await listedStatus(b, 'pairing chat')) === 'idle',
        30_000,
      );
    });

    it('a message sent while the stopped session resumes never disappears', async () => {
      await chooseSessionAction(a, 'Stop');
      await waitFor(
        'B to list it exited',
        async () => (await listedStatus(b, 'pairing chat')) === 'exited',
        30_000,
      );

      api.script({ kind: 'text', text: 'Back again, same conversation.', chunks: 4, delayMs: 100 });
      await sendMessage(a, 'are you back?');
      assert.match(await messageState(a, 'are you back?', 5_000), /pending|sent|queued/);
      await waitFor('B to list it running again', async () => {
        const status = await listedStatus(b, 'pairing chat');
        return status === 'running' || status === 'idle' ? status : false;
      });
      await waitForQuiet(a);
      const shown = await transcript(a);
      assert.deepEqual(shown.slice(-2), [
        'user: are you back?',
        'agent: Back again, same conversation.',
      ]);
      assert.deepEqual(await vanishedMessages(a), [], 'no message ever vanished in A');
      assert.deepEqual(await vanishedMessages(b), [], 'B never reloaded');
    });

    it('messages from several windows and devices appear in the same order everywhere', async () => {
      const c = await phone.open(baton.signInUrl);
      await c.goto(sessionUrl);
      await b.goto(sessionUrl);
      for (const page of [b, c]) await page.locator('.transcript .msg-user').first().waitFor();
      api.script(
        { kind: 'text', text: 'Answer one.', chunks: 2, delayMs: 50 },
        { kind: 'text', text: 'Answer two.', chunks: 2, delayMs: 50 },
        { kind: 'text', text: 'Answer three.', chunks: 2, delayMs: 50 },
      );
      await Promise.all([
        sendMessage(b, 'from window B'),
        sendMessage(c, 'from the phone'),
        sendMessage(a, 'from window A'),
      ]);
      for (const page of [a, b, c]) {
        for (const text of ['from window B', 'from the phone', 'from window A']) {
          await waitFor(
            `${text} to be sent`,
            async () => (await messageState(page, text)) !== 'pending',
          );
        }
        await waitForQuiet(page);
      }
      await waitFor('every window to show the same transcript', async () => {
        const [ta, tb, tc] = [await transcript(a), await transcript(b), await transcript(c)];
        return (
          JSON.stringify(ta) === JSON.stringify(tb) && JSON.stringify(tb) === JSON.stringify(tc)
        );
      });
      const users = (await transcript(a)).filter((line) => line.startsWith('user: '));
      for (const text of ['from window B', 'from the phone', 'from window A']) {
        assert.equal(
          users.filter((u) => u === `user: ${text}`).length,
          1,
          `${text} is shown exactly once`,
        );
      }
      await screenshot(c, 'chat-second-device');
    });

    it('a system prompt in the session config never shows as the user message', async () => {
      const own = await startFakeAnthropic();
      apis.push(own);
      const cli = await nodeDevice(baton.url, baton.ownerToken);
      clients.push(cli);
      const marker = 'INJECTED-SYSTEM-PROMPT-7f3a';
      const session = await cli.createSession({
        kind: 'claude',
        name: 'with a system prompt',
        config: {
          cwd: work,
          systemPrompt: `${marker}: always answer briefly.`,
          env: claudeSessionEnv(own),
        },
      });
      await a.goto(`${baton.url}/`);
      await sessionCard(a, 'with a system prompt')
        .getByRole('link', { name: 'with a system prompt' })
        .click();
      await a.waitForURL(new RegExp(`/s/${session.id}$`));
      own.script({ kind: 'text', text: 'Brief answer.', chunks: 2, delayMs: 50 });
      await sendMessage(a, 'hello there');
      await waitForQuiet(a);
      // The whole answer, not the first fragments of it streaming in.
      await waitFor('the answer', async () => (await transcript(a))[1] === 'agent: Brief answer.');
      assert.deepEqual(await transcript(a), ['user: hello there', 'agent: Brief answer.']);
      // The agent was told; the user was not shown it.
      assert.match(JSON.stringify(own.modelCalls()), new RegExp(marker));
      assert.ok(
        !(await a.locator('body').innerText()).includes(marker),
        'the system prompt is not shown',
      );
      const c = await phone.open(`${baton.url}/s/${session.id}`);
      await waitFor(
        'the phone to show the conversation',
        async () => (await transcript(c)).length === 2,
      );
      assert.deepEqual(await transcript(c), ['user: hello there', 'agent: Brief answer.']);
      assert.ok(!(await c.locator('body').innerText()).includes(marker));
    });

    it('a permission prompt shows in every window; the first answer resolves it everywhere', async () => {
      // Its own model API: earlier tests may leave scripted answers unused.
      const own = await startFakeAnthropic();
      apis.push(own);
      const cli = await nodeDevice(baton.url, baton.ownerToken);
      clients.push(cli);
      const session = await cli.createSession({
        kind: 'claude',
        name: 'asks permission',
        config: { cwd: work, env: claudeSessionEnv(own) },
      });
      await a.goto(`${baton.url}/s/${session.id}`);
      await b.goto(`${baton.url}/s/${session.id}`);
      for (const page of [a, b]) await page.locator('.composer').waitFor();
      const target = join(work, 'made-from-the-browser.txt');
      own.script(
        {
          kind: 'tool',
          name: 'Bash',
          input: { command: `touch ${target}`, description: 'create a file' },
        },
        { kind: 'text', text: 'The file exists now.', chunks: 2, delayMs: 50 },
      );
      await sendMessage(a, 'please create the file');
      for (const page of [a, b]) {
        await page.locator('.permission-open').waitFor({ timeout: 60_000 });
        assert.match(
          await page.locator('.msg-tool[data-tool="Bash"]:has(.permission-open)').innerText(),
          /touch .*made-from-the-browser/,
        );
      }
      await screenshot(a, 'chat-permission');
      await b
        .locator('.permission-open')
        .getByRole('button', { name: 'Allow once', exact: true })
        .click();
      for (const page of [a, b]) {
        await page.locator('.permission-resolved .resolution-allow').waitFor({ timeout: 30_000 });
        await waitForQuiet(page);
        await waitFor(
          'the final answer',
          async () => (await transcript(page)).at(-1) === 'agent: The file exists now.',
        );
      }
      assert.ok(existsSync(target), 'the allowed command ran');
      // One card: the command in a code block, the answer and who gave it, the output folded.
      const tool = a.locator('.msg-tool[data-tool="Bash"]').last();
      assert.match(
        await tool.locator('.tool-command').innerText(),
        /touch .*made-from-the-browser/,
      );
      assert.match(await tool.locator('.resolution-allow').innerText(), /^Allowed from /);
      assert.equal(
        await tool.locator('.tool-details').getAttribute('open'),
        null,
        'raw JSON hidden',
      );
      await screenshot(a, 'chat-tool-call');
    });
  },
);
