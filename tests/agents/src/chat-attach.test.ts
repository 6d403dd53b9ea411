import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Tmux } from '@baton/server/testing';
import { BATON_CLI, claudeUserEnv, tempDir } from './agent-env.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { ServerProcess } from './server-process.js';

const count = (text: string, part: string) => text.split(part).length - 1;
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe(
  'baton attach: one claude conversation followed from two terminals',
  { timeout: 180_000 },
  () => {
    const cleanup: Array<() => Promise<void> | void> = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    it('messages, streaming, a permission prompt answered from the other terminal, stop, detach', async () => {
      const api = await new FakeAnthropic().start();
      cleanup.push(() => api.close());
      const root = tempDir('chat');
      // A person's setup: Claude Code installed and configured; `npm start` is `baton serve`.
      const server = await ServerProcess.start(join(root, 'data'), {
        env: claudeUserEnv(api, root),
      });
      cleanup.push(() => server.stop());
      const work = join(root, 'work');
      const id = (await server.cli('new', 'claude', '--cwd', work, '--name', 'pairing')).trim();
      assert.match(id, /^s_/);

      const tmux = new Tmux();
      cleanup.push(() => tmux.kill());
      const attach = (...args: string[]) => [process.execPath, BATON_CLI, 'attach', id, ...args];
      await tmux.open('one', attach(), server.cliEnv());
      await tmux.open('two', attach(), server.cliEnv());
      for (const t of ['one', 'two']) {
        await tmux.waitFor(
          t,
          'the chat header and prompt',
          (s) => /── pairing/.test(s) && /^>$/m.test(s),
        );
      }
      const cli = `cli on ${hostname()}`;

      // A message typed in terminal one: both show it and the answer streaming in.
      const answer = 'Streaming reply: one two three four five six seven eight nine ten.';
      api.script({ kind: 'text', text: answer, chunks: 10, delayMs: 200 });
      await tmux.type('one', 'hi there, what is up?');
      await tmux.waitFor('two', 'the answer part-way through', (s) => {
        const line = s.split('\n').find((l) => l.startsWith('assistant: Streaming'));
        return line !== undefined && !line.includes(answer);
      });
      const one = await tmux.waitFor('one', 'the whole turn', (s) => /── turn completed/.test(s));
      const two = await tmux.waitFor('two', 'the whole turn', (s) => /── turn completed/.test(s));
      assert.match(one, /^you: hi there, what is up\? \[sent\]$/m);
      assert.match(two, new RegExp(`^${cli}: hi there, what is up\\?$`, 'm'));
      for (const screen of [one, two]) {
        // The streamed text became the final text in place: shown once, on one line.
        assert.equal(count(screen, answer), 1, screen);
        assert.match(screen, new RegExp(`^assistant: ${literal(answer)}$`, 'm'));
      }

      // A tool call needing permission: the prompt shows in both; terminal two allows it.
      const target = join(work, 'made-in-chat.txt');
      api.script(
        {
          kind: 'tool',
          name: 'Bash',
          input: { command: `touch ${target}`, description: 'make a file' },
        },
        { kind: 'text', text: 'The file exists now.' },
      );
      await tmux.type('one', 'please create the file');
      for (const t of ['one', 'two']) {
        await tmux.waitFor(
          t,
          'the permission prompt',
          (s) =>
            /\? permission \[[^\]]+\]: Bash touch .*made-in-chat\.txt — make a file/.test(s) &&
            /answer with \/allow or \/deny \[message\] \(or y \/ n\)/.test(s) &&
            /allow Bash\? \[y\/n\] >$/.test(s),
        );
      }
      // A third terminal that attaches now, read-only, is shown the waiting prompt too.
      await tmux.open('three', attach('--read-only'), server.cliEnv());
      await tmux.waitFor(
        'three',
        'the outstanding prompt for a late joiner',
        (s) =>
          /\? waiting for an answer \[[^\]]+\]: Bash touch .*made-in-chat\.txt/.test(s) &&
          /read-only: a device that may write has to answer it/.test(s),
      );
      await tmux.type('two', '/allow');
      for (const t of ['one', 'two', 'three']) {
        const screen = await tmux.waitFor(
          t,
          'the resolution and the end of the turn',
          (s) => count(s, '── turn completed') === 2,
        );
        assert.match(screen, new RegExp(`✓ allowed by ${cli} \\[`));
        // The tool's result may arrive while the next answer streams (Claude Code 2.1.332 under
        // load): the view then prints it between the two parts and goes on with "(cont.)".
        const answer = screen.replace(/\n {2}↳ [^\n]*\nassistant \(cont\.\): /g, '');
        assert.match(answer, /^assistant: The file exists now\.$/m);
        assert.doesNotMatch(
          screen.split('\n').at(-1)!,
          /allow Bash/,
          'the prompt is back to normal',
        );
      }
      assert.ok(existsSync(target), 'the allowed command ran');

      // Ctrl-C in terminal two stops the turn that terminal one started.
      api.script({
        kind: 'text',
        text: 'a long and slow answer that will be cut off',
        chunks: 20,
        delayMs: 250,
      });
      await tmux.type('one', 'talk slowly');
      await tmux.waitFor('two', 'the slow answer streaming', (s) => /^assistant: a long/m.test(s));
      await tmux.keys('two', 'C-c');
      for (const t of ['one', 'two', 'three']) {
        await tmux.waitFor(t, 'the interrupted turn', (s) => /── turn interrupted/.test(s));
      }

      // Read-only never sends.
      await tmux.type('three', 'let me in');
      await tmux.waitFor('three', 'the refusal', (s) => /read-only: not sent/.test(s));

      // Detaching (Ctrl-D, /detach) says how to come back; the session goes on.
      await tmux.keys('one', 'C-d');
      await tmux.type('two', '/detach');
      for (const t of ['one', 'two']) {
        await tmux.waitFor(t, 'the detach note', (s) =>
          s.includes(`[detached from pairing; reattach with: baton attach ${id}]`),
        );
      }
      const list = await server.cli('ls');
      assert.match(list, /pairing\s+claude\s+idle/);
      const two2 = await tmux.screen('two');
      assert.doesNotMatch(two2, /let me in/, 'nothing typed read-only reached the log');
    });
  },
);
