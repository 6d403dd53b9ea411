import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import type { BatonClient } from '@baton/client';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserSuite } from './harness/browser-suite.js';
import { nodeDevice } from './harness/node-device.js';
import { CLI_MAIN, tempDir } from './harness/paths.js';
import { notYet, waitFor } from './harness/wait-for.js';

const QUIET_SHELL = { shell: '/bin/sh', args: ['-c', 'exec sleep 100000'] };

/** `baton host --relay URL --code CODE --name NAME`, resolved once the relay welcomed it. */
async function startHost(relay: BatonProcess, name: string): Promise<ChildProcess> {
  const pairing = await fetch(`${relay.url}/api/pairings`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${relay.ownerToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ role: 'owner' }),
  });
  const { code } = (await pairing.json()) as { code: string };
  const child = spawn(
    process.execPath,
    [
      CLI_MAIN,
      'host',
      '--relay',
      relay.url,
      '--code',
      code,
      '--name',
      name,
      '--data',
      tempDir(name),
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l.startsWith(`host ${name} is online`)) resolve();
    });
    child.once('exit', (c) => reject(new Error(`baton host ${name} exited with ${c}`)));
  });
  return child;
}

// Every machine in one view (docs/relay.md): a browser on a relay lists the sessions of each
// host under the host's name with its online state, and shows when a host goes offline.
describe('a relay in the browser: sessions grouped by host', { timeout: 180_000 }, () => {
  const s = new BrowserSuite('relay-hosts', {
    server: () => BatonProcess.start(tempDir('relay-hosts'), {}, [], 'relay'),
  });
  const hosts: ChildProcess[] = [];
  let cli: BatonClient | undefined;
  s.closeFirst(async () => {
    await cli?.close();
    for (const h of hosts) if (h.exitCode === null && h.signalCode === null) h.kill('SIGTERM');
  });

  it('shows each host with its sessions and its online state', async () => {
    hosts.push(await startHost(s.baton, 'alpha'), await startHost(s.baton, 'beta'));
    cli = await nodeDevice(s.baton.url, s.baton.ownerToken);
    await cli.createSession({
      kind: 'terminal',
      name: 'on alpha',
      config: { ...QUIET_SHELL, host: 'alpha' },
    });
    await cli.createSession({
      kind: 'terminal',
      name: 'on beta',
      config: { ...QUIET_SHELL, host: 'beta' },
    });
    const laptop = await s.device();
    const page = await laptop.open(s.baton.signInUrl);
    const view = () =>
      page.locator('.sessions-page .host-group').evaluateAll((sections) =>
        sections.map((g) => ({
          host: g.getAttribute('data-host'),
          online: g.getAttribute('data-online'),
          names: [...g.querySelectorAll('.session-name')].map((a) => a.textContent),
        })),
      );
    await waitFor('both hosts, online, each with its session', async () => {
      const seen = await view();
      return (
        JSON.stringify(seen) ===
          JSON.stringify([
            { host: 'alpha', online: 'true', names: ['on alpha'] },
            { host: 'beta', online: 'true', names: ['on beta'] },
          ]) || notYet(seen)
      );
    });

    hosts[1]!.kill('SIGKILL');
    await waitFor('beta shown offline, alpha still online', async () => {
      const seen = await view();
      return (seen[0]?.online === 'true' && seen[1]?.online === 'false') || notYet(seen);
    });
    assert.match(
      await page.locator('.sessions-page .host-group[data-host="beta"] .host-title').innerText(),
      /beta\s+offline/,
    );

    // A host with no session yet is offered by the new-session form's Host field all the same
    // (GET /api/hosts), with the hosts that have sessions.
    hosts.push(await startHost(s.baton, 'gamma'));
    await page.getByRole('button', { name: 'New session', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    const offered = () =>
      dialog
        .locator('datalist#relay-hosts option')
        .evaluateAll((options) =>
          options.map((o) => `${o.getAttribute('value')} ${o.textContent}`),
        );
    await waitFor('the Host field offers gamma, which has no session', async () => {
      const seen = await offered();
      return (
        JSON.stringify(seen) === JSON.stringify(['alpha online', 'beta offline', 'gamma online']) ||
        notYet(seen)
      );
    });
    await dialog.getByLabel('Host').fill('gamma');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await waitFor('the session is created on gamma', async () => {
      const res = await fetch(`${s.baton.url}/api/sessions`, {
        headers: { authorization: `Bearer ${s.baton.ownerToken}` },
      });
      const { sessions } = (await res.json()) as { sessions: { host?: { name: string } }[] };
      const names = sessions.map((x) => x.host?.name);
      return names.includes('gamma') || notYet(names);
    });
  });
});
