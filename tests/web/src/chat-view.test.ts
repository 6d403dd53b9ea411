import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { startFakeAnthropic, type ScriptedModelApi } from './harness/fake-model-api.js';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, connected, launchBrowser, screenshot } from './harness/browser.js';
import { transcript } from './harness/app-page.js';
import { sendMessage, waitForQuiet } from './harness/chat.js';
import { claudeServerEnv, claudeSessionEnv } from './harness/claude-env.js';
import { nodeDevice } from './harness/node-device.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

// The chat view of issue 11: tool calls as readable cards, permission answers (once, for the
// session, deny with a reason) passed to the real Claude Code CLI, Markdown with highlighting
// and copy buttons, one composer (focus, Send/Stop, drafts), and who did what. Real server,
// real Claude Code against a scripted model API, real Chromium; two browser profiles are two
// devices.
describe('the chat view (issue 11)', { timeout: 600_000 }, () => {
  let baton: BatonProcess;
  let browser: Browser;
  let laptop: BrowserDevice;
  let phone: BrowserDevice;
  let a: Page;
  const work = tempDir('chat-view-work');
  const apis: ScriptedModelApi[] = [];
  const clients: BatonClient[] = [];

  /**
   * A claude session with its own scripted model API, opened in `pages`; `name` may also set the
   * session's permission mode.
   */
  async function session(
    name: string | { name: string; permissionMode: string },
    ...pages: Page[]
  ): Promise<{ api: ScriptedModelApi; url: string }> {
    const api = await startFakeAnthropic();
    apis.push(api);
    const cli = await nodeDevice(baton.url, baton.ownerToken);
    clients.push(cli);
    const mode = typeof name === 'string' ? {} : { permissionMode: name.permissionMode };
    const created = await cli.createSession({
      kind: 'claude',
      name: typeof name === 'string' ? name : name.name,
      config: { cwd: work, env: claudeSessionEnv(api), ...mode },
    });
    const url = `${baton.url}/s/${created.id}`;
    for (const page of pages) {
      await page.goto(url);
      await page.locator('.composer').waitFor();
    }
    return { api, url };
  }

  before(async () => {
    const api = await startFakeAnthropic();
    apis.push(api);
    baton = await BatonProcess.start(
      tempDir('chat-view'),
      claudeServerEnv(api, tempDir('chat-view-env')),
    );
    browser = await launchBrowser();
    laptop = await BrowserDevice.create(browser);
    phone = await BrowserDevice.create(browser);
    await laptop.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: baton.url,
    });
    a = await laptop.open(baton.signInUrl);
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

  it('focuses the composer on open, keeps drafts across reloads and survives garbage in storage', async () => {
    await session('drafts', a);
    const box = a.getByRole('textbox', { name: 'Message' });
    await waitFor('the composer to have the focus', () =>
      box.evaluate((el) => el === document.activeElement),
    );
    // Typing right away goes into the box (bug 9).
    await a.keyboard.type('half a thought');
    assert.equal(await box.inputValue(), 'half a thought');
    await a.keyboard.press('Shift+Enter');
    await a.keyboard.type('second line');
    const oneLine = await box.evaluate((el) => el.getBoundingClientRect().height);
    await a.keyboard.press('Shift+Enter');
    await a.keyboard.type('third line');
    assert.ok(
      (await box.evaluate((el) => el.getBoundingClientRect().height)) > oneLine,
      'the box grows with its text',
    );
    await waitFor('the draft to be saved', () =>
      a.evaluate(() => (localStorage.getItem('baton.drafts.v1') ?? '').includes('third line')),
    );
    await a.reload();
    await connected(a);
    assert.equal(await box.inputValue(), 'half a thought\nsecond line\nthird line');

    // Emptied and saved first: a save still pending would overwrite the garbage written below.
    await box.fill('');
    await waitFor('the emptied draft to be saved', () =>
      a.evaluate(() => !(localStorage.getItem('baton.drafts.v1') ?? '').includes('third line')),
    );
    for (const garbage of ['{not json', '[1,2,3]', '{"x":{"text":7,"at":"no"}}', 'null']) {
      await a.evaluate((g) => localStorage.setItem('baton.drafts.v1', g), garbage);
      await a.reload();
      await connected(a);
      assert.equal(await box.inputValue(), '', `garbage ${garbage} gives an empty box`);
    }
    await box.fill('kept again');
    await waitFor('a draft to be saved over the garbage', () =>
      a.evaluate(() => {
        const raw = JSON.parse(localStorage.getItem('baton.drafts.v1') ?? '{}') as Record<
          string,
          { text?: string }
        >;
        return Object.values(raw).some((d) => d.text === 'kept again');
      }),
    );
    await box.fill('');
  });

  it('shows Stop while a turn runs, Send once something is typed, and who stopped the turn', async () => {
    const b = await phone.open(baton.signInUrl);
    const { api } = await session('stopping', a, b);
    api.script({ kind: 'text', text: 'word '.repeat(200), chunks: 100, delayMs: 150 });
    await sendMessage(a, 'talk for a while');
    await a.locator('.msg-assistant.streaming').first().waitFor({ timeout: 60_000 });
    const stopA = a.getByRole('button', { name: "Stop the agent's current turn" });
    await stopA.waitFor();
    assert.equal(await a.getByRole('button', { name: 'Send' }).count(), 0, 'one button: Stop');
    await a.getByRole('textbox', { name: 'Message' }).fill('next');
    await a.getByRole('button', { name: 'Send' }).waitFor();
    assert.equal(await stopA.count(), 0, 'with text typed the button sends');
    await a.getByRole('textbox', { name: 'Message' }).fill('');

    await b.locator('.msg-assistant.streaming').first().waitFor({ timeout: 30_000 });
    await b.getByRole('button', { name: "Stop the agent's current turn" }).click();
    for (const page of [a, b]) {
      await page.locator('.msg-turn-end.turn-interrupted').waitFor({ timeout: 30_000 });
    }
    assert.match(await b.locator('.msg-turn-end').last().innerText(), /^Stopped from this device/);
    const onA = await a.locator('.msg-turn-end').last().innerText();
    assert.match(onA, /^Stopped from /);
    assert.doesNotMatch(onA, /this device|Another device/, 'A names the phone');
    await screenshot(a, 'chat-stopped-from');
    await b.close();
  });

  it('renders Markdown safely, highlights code lazily and copies a code block', async () => {
    const { api } = await session('markdown', a);
    await a.evaluate(() => {
      delete (window as unknown as { __xss?: number }).__xss;
    });
    api.script({
      kind: 'text',
      text: [
        'Here is the code:',
        '',
        '```js',
        'const answer = 42; // the answer',
        '```',
        '',
        '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>',
        '[click](javascript:window.__xss=3) and <a href="javascript:window.__xss=4">this</a>',
        '<iframe src="javascript:window.__xss=5"></iframe>',
      ].join('\n'),
      chunks: 3,
      delayMs: 50,
    });
    await sendMessage(a, 'show me code');
    await waitForQuiet(a);
    const md = a.locator('.msg-assistant .markdown').last();
    await md.locator('code.hljs .hljs-keyword').first().waitFor({ timeout: 10_000 });
    assert.equal(await md.locator('img, script, iframe, a[href^="javascript"]').count(), 0);
    assert.equal(
      await a.evaluate(() => (window as unknown as { __xss?: number }).__xss),
      undefined,
    );
    assert.match(
      await md.innerText(),
      /<script>window.__xss=2<\/script>/,
      'raw HTML shows as text',
    );

    await md.getByRole('button', { name: 'Copy code' }).click();
    await md.getByRole('button', { name: 'Copy code' }).filter({ hasText: 'Copied' }).waitFor();
    assert.equal(
      await a.evaluate(() => navigator.clipboard.readText()),
      'const answer = 42; // the answer',
    );
    await screenshot(a, 'chat-markdown-code');
  });

  it('shows a file write as a card with the path and a diff, answered in place', async () => {
    const { api } = await session('writes a file', a);
    const target = join(work, 'notes.txt');
    api.script(
      { kind: 'tool', name: 'Write', input: { file_path: target, content: 'alpha\nbeta\n' } },
      { kind: 'text', text: 'Written.' },
    );
    await sendMessage(a, 'write the notes');
    const card = a.locator('.msg-tool[data-tool="Write"]').last();
    await card.locator('.permission-open').waitFor({ timeout: 60_000 });
    assert.equal(await card.locator('.tool-title').innerText(), `Write ${target}`);
    assert.deepEqual(
      (await card.locator('.diff-add').allInnerTexts()).map((line) => line.trim()),
      ['+alpha', '+beta'],
    );
    assert.equal(await card.locator('.tool-details').getAttribute('open'), null, 'JSON hidden');
    await screenshot(a, 'chat-tool-diff');
    await card.getByRole('button', { name: 'Allow once' }).click();
    await waitForQuiet(a);
    assert.ok(existsSync(target), 'the write ran');
    assert.match(await card.locator('.resolution-allow').innerText(), /^Allowed from this device/);
    assert.equal(await card.getAttribute('data-status'), 'done');
  });

  it('"Allow for this session" means an identical second call is not asked again', async () => {
    const { api } = await session('allows for the session', a);
    const target = join(work, 'session-rule.txt');
    const call = { command: `touch ${target}`, description: 'touch the file' };
    api.script(
      { kind: 'tool', name: 'Bash', input: call },
      { kind: 'text', text: 'First done.' },
      { kind: 'tool', name: 'Bash', input: call },
      { kind: 'text', text: 'Second done.' },
    );
    await sendMessage(a, 'touch it');
    await a.locator('.permission-open').waitFor({ timeout: 60_000 });
    await a.getByRole('button', { name: 'Allow for this session' }).click();
    await waitForQuiet(a);
    assert.match(
      await a.locator('.resolution-allow').last().innerText(),
      /^Allowed for this session from this device/,
    );

    await sendMessage(a, 'touch it again');
    const outcome = await waitFor(
      'the second call to run or to be asked about',
      async () => {
        if ((await a.locator('.permission-open').count()) > 0) return 'asked again';
        return (await transcript(a)).at(-1) === 'agent: Second done.' ? 'ran' : false;
      },
      60_000,
    );
    assert.equal(outcome, 'ran', 'the second identical call was not asked about');
    const cards = a.locator('.msg-tool[data-tool="Bash"]');
    assert.equal(await cards.count(), 2);
    assert.equal(await cards.nth(1).locator('.permission').count(), 0);
    assert.equal(await cards.nth(1).getAttribute('data-status'), 'done');
  });

  it('a deny reason reaches the model', async () => {
    const { api } = await session('denies', a);
    const target = join(work, 'never-made.txt');
    const reason = 'not in that folder, use the scratch directory';
    api.script(
      { kind: 'tool', name: 'Bash', input: { command: `touch ${target}`, description: 'touch' } },
      { kind: 'text', text: 'Understood.' },
    );
    await sendMessage(a, 'make a file');
    await a.locator('.permission-open').waitFor({ timeout: 60_000 });
    await a.getByRole('button', { name: 'Deny…' }).click();
    await a.getByLabel(/Reason/).fill(reason);
    await a.getByRole('button', { name: 'Deny', exact: true }).click();
    await waitForQuiet(a);
    assert.ok(!existsSync(target), 'the denied command did not run');
    assert.equal(
      await a.locator('.resolution-deny').last().innerText(),
      `Denied from this device: ${reason}`,
    );
    const calls = api.modelCalls();
    assert.ok(
      JSON.stringify(calls.at(-1)).includes(reason),
      'the last model call carries the reason as the tool result',
    );
  });

  it('a plan is shown on both devices and approved from the phone; the laptop sees who approved it', async () => {
    const b = await phone.open(baton.signInUrl);
    const { api } = await session({ name: 'plans', permissionMode: 'plan' }, a, b);
    api.script(
      { kind: 'plan', plan: '## The plan\n\n1. Rename `greet`\n2. Run the tests' },
      { kind: 'text', text: 'Renaming now.' },
    );
    await sendMessage(a, 'plan the rename first');
    for (const page of [a, b]) {
      const plan = page.locator('.msg-tool[data-tool="ExitPlanMode"] .plan');
      await plan.waitFor({ timeout: 60_000 });
      assert.equal(await plan.getByRole('heading', { name: 'The plan' }).count(), 1);
    }
    await b.getByRole('button', { name: 'Approve plan' }).click();
    await waitForQuiet(a);
    assert.match(
      await a.locator('.plan .resolution-allow').innerText(),
      /^Plan approved from (?!this device)/,
    );
    assert.match(
      await b.locator('.plan .resolution-allow').innerText(),
      /^Plan approved from this device/,
    );
    assert.equal(await a.getByRole('button', { name: 'Approve plan' }).count(), 0);
    assert.equal((await transcript(a)).at(-1), 'agent: Renaming now.');
    assert.ok(
      JSON.stringify(api.modelCalls().at(-1)).includes('approved your plan'),
      'the model was told the plan was approved',
    );
  });

  it('questions are shown with their options on both devices and answered from the phone', async () => {
    const b = await phone.open(baton.signInUrl);
    const { api } = await session('questions', a, b);
    const question = 'Which database should the cache use?';
    api.script(
      {
        kind: 'tool',
        name: 'AskUserQuestion',
        input: {
          questions: [
            {
              question,
              header: 'Database',
              options: [
                { label: 'SQLite', description: 'a file next to the app' },
                { label: 'PostgreSQL', description: 'the shared server' },
              ],
              multiSelect: false,
            },
          ],
        },
      },
      { kind: 'text', text: 'PostgreSQL it is.' },
    );
    await sendMessage(a, 'add a cache');
    for (const page of [a, b])
      await page.getByRole('group', { name: /Which database/ }).waitFor({ timeout: 60_000 });
    const answer = b.getByRole('button', { name: 'Answer', exact: true });
    assert.equal(await answer.isDisabled(), true, 'nothing chosen yet');
    await b.getByRole('radio', { name: /PostgreSQL/ }).check();
    await answer.click();
    await waitForQuiet(a);
    assert.match(
      await a.locator('.questions .resolution-allow').innerText(),
      /^Answered from (?!this device)/,
    );
    assert.equal(await a.locator('.question-answer strong').innerText(), 'PostgreSQL');
    assert.equal((await transcript(a)).at(-1), 'agent: PostgreSQL it is.');
    assert.ok(
      JSON.stringify(api.modelCalls().at(-1)).includes(`\\"${question}\\"=\\"PostgreSQL\\"`),
      'the model got the answer',
    );
  });
});
