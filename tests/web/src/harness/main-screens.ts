import type { Page } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { startTestServer } from '@baton/server/testing';
import { connected } from './browser.js';
import { DEMO_COMMAND, demoAgentFactory } from './demo-agent.js';
import { nodeDevice } from './node-device.js';
import { tempDir, WEB_DIST } from './paths.js';
import { waitFor } from './wait-for.js';

/** One main screen of the app: where it is and when it is ready to be looked at. */
export interface MainScreen {
  readonly name: string;
  /** Shown signed out (the sign-in screen) rather than signed in. */
  readonly signedOut?: boolean;
  readonly path: string;
  /** Waits until the screen shows what it is for; may click to get there (add a device). */
  readonly ready: (page: Page) => Promise<void>;
}

/** The sizes screens are checked and shot at. */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;
export const THEMES = ['light', 'dark'] as const;

/**
 * A real server (in this process) serving the built app, with sessions that make every main
 * screen look as it does in use: a terminal with real output from a real shell, and an agent
 * conversation (the scripted `demoAgentFactory`) with Markdown, a code block, an Edit card with
 * its diff and a Bash permission prompt left waiting, so the list shows "Needs you".
 */
export async function populatedServer(): Promise<{
  url: string;
  ownerToken: string;
  /** The ids of the terminal and of the agent conversation. */
  sessions: { terminal: string; chat: string };
  screens: MainScreen[];
  stop(): Promise<void>;
}> {
  const server = await startTestServer({ webRoot: WEB_DIST, runners: [demoAgentFactory()] });
  const url = `http://127.0.0.1:${server.port}`;
  let cli: BatonClient | undefined;
  try {
    cli = await nodeDevice(url, server.ownerToken);
    const home = tempDir('screens-home');
    const shell = await cli.createSession({
      kind: 'terminal',
      name: 'build',
      config: {
        shell: '/bin/bash',
        args: ['--norc', '--noprofile', '-i'],
        cwd: home,
        env: { PS1: '~/app $ ', HISTFILE: '/dev/null', HOME: home, TERM: 'xterm-256color' },
        cols: 80,
        rows: 24,
      },
    });
    const c = cli;
    await waitFor('the shell to run', () => c.sessions.get(shell.id)?.status === 'running');
    // Octal escapes, so the command line itself does not contain the words waited for below.
    cli.send(shell.id, {
      kind: 'terminal',
      data: "printf 'src/  tests/  package.json  README.md\\n\\033[1;32m\\342\\234\\223 42 \\164ests passed\\033[0m in 1.3 s\\n'\r",
    });
    const chat = await cli.createSession({ kind: 'claude', name: 'fix the greeting' });
    cli.send(chat.id, { kind: 'message', text: 'The greeting ignores the name. Please fix it.' });
    await waitFor(
      'the demo conversation to wait for permission',
      () => c.sessions.get(chat.id)?.attention !== undefined,
    );
    const screens: MainScreen[] = [
      {
        name: 'sign-in',
        signedOut: true,
        path: '/',
        ready: (page) => page.getByRole('heading', { name: 'Sign in to baton' }).waitFor(),
      },
      {
        name: 'sessions',
        path: '/',
        ready: async (page) => {
          await connected(page);
          await page.getByRole('link', { name: 'fix the greeting' }).first().waitFor();
          await page.getByRole('link', { name: 'build' }).first().waitFor();
        },
      },
      {
        name: 'chat',
        path: `/s/${chat.id}`,
        ready: async (page) => {
          await connected(page);
          await page.locator('.permission-open').waitFor();
          await page.getByText(DEMO_COMMAND).first().waitFor();
        },
      },
      {
        name: 'terminal',
        path: `/s/${shell.id}`,
        ready: async (page) => {
          await connected(page);
          await waitFor('the shell output', async () =>
            (await page.locator('.terminal-host .xterm-rows').innerText()).includes(
              '42 tests passed',
            ),
          );
        },
      },
      {
        name: 'devices',
        path: '/devices',
        ready: async (page) => {
          await connected(page);
          await page.getByRole('heading', { name: 'Devices' }).waitFor();
          await page.locator('[data-device-id]').first().waitFor();
        },
      },
      {
        name: 'add-device',
        path: '/add-device',
        ready: async (page) => {
          await connected(page);
          await page.getByRole('button', { name: /Show a pairing code|New code/ }).click();
          await page.locator('.pairing-qr').waitFor();
        },
      },
    ];
    return {
      url,
      ownerToken: server.ownerToken,
      sessions: { terminal: shell.id, chat: chat.id },
      screens,
      stop: async () => {
        await c.close();
        await server.stop();
      },
    };
  } catch (error) {
    await cli?.close();
    await server.stop();
    throw error;
  }
}

/** `populatedServer` as a browser suite's server (`new BrowserSuite(name, mainScreensServer)`). */
export const mainScreensServer = {
  server: async () => {
    const app = await populatedServer();
    return { ...app, close: () => app.stop() };
  },
};
