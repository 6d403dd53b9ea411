import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { BatonClient } from '@baton/client';
import { BASH_TERMINAL, TINY_PNG } from '@baton/server/testing';
import { terminalText, transcript, waitForTerminal } from './harness/app-page.js';
import { sendMessage } from './harness/chat.js';
import { claudeServerEnv, claudeSessionEnv } from './harness/claude-env.js';
import { startFakeAnthropic, type ScriptedModelApi } from './harness/fake-model-api.js';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserSuite } from './harness/browser-suite.js';
import { connected, screenshot, type BrowserDevice } from './harness/browser.js';
import { nodeDevice } from './harness/node-device.js';
import { CLI_MAIN, tempDir } from './harness/paths.js';
import { hostPairLink, startHost, stopPairCommands, type RelayHost } from './harness/relay-host.js';
import { notYet, waitFor } from './harness/wait-for.js';

const run = promisify(execFile);

/** Everything a browser profile sent: request URLs and bodies, WebSocket frames. */
function recordSent(context: BrowserContext): string[] {
  const sent: string[] = [];
  context.on('request', (request) => {
    sent.push(request.url(), request.postData() ?? '', JSON.stringify(request.headers()));
  });
  context.on('page', (page) => recordFrames(page, sent));
  return sent;
}

function recordFrames(page: Page, sent: string[]): void {
  page.on('websocket', (ws) =>
    ws.on('framesent', (frame) =>
      sent.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString()),
    ),
  );
}

/** Every file under `dir` (the relay's SQLite file, its WAL and the rest) as raw bytes. */
function rawBytesUnder(dir: string): Buffer {
  const chunks: Buffer[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) chunks.push(rawBytesUnder(path));
    else chunks.push(readFileSync(path));
  }
  return Buffer.concat(chunks);
}

/** The pairing secret of a host link (its `ps`), which must never reach any server. */
function secretOf(link: string): string {
  const ps = new URLSearchParams(new URL(link).hash.slice(1)).get('ps');
  assert.ok(ps, `the link carries a pairing secret: ${link}`);
  return ps;
}

/** Opens a host's pairing link in `page`, checks the fingerprint shown, pairs, waits for the app. */
async function pairInBrowser(page: Page, link: string, host: RelayHost): Promise<void> {
  await page.goto(link);
  const form = page.getByRole('form', { name: 'Pair with a host' });
  // The fingerprint comes from the link's keys; `baton host` printed the same at its start.
  const fingerprint = (await form.locator('.host-fingerprint').innerText()).trim();
  assert.match(fingerprint, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
  assert.ok(host.output.includes(fingerprint), `baton host ${host.name} printed ${fingerprint}`);
  await screenshot(
    page,
    `sealed-pair-${host.name}${(await form.getByLabel('Name of this device').count()) ? '' : '-signed-in'}`,
  );
  const name = form.getByLabel('Name of this device');
  if (await name.count()) await name.fill(`${host.name} pairing test`);
  await form.getByRole('button', { name: 'Pair with this host' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await connected(page);
}

/** The session names listed on `page`, per host group. */
async function listed(page: Page): Promise<Record<string, string[]>> {
  const groups = await page.locator('.sessions-page .host-group').evaluateAll((sections) =>
    sections.map((g) => ({
      host: g.getAttribute('data-host') ?? '',
      names: [...g.querySelectorAll('.session-card')].map(
        (c) =>
          `${c.querySelector('.session-name')?.textContent ?? ''}${c.querySelector('.sealed-mark') ? ' (sealed)' : ''}`,
      ),
    })),
  );
  return Object.fromEntries(groups.map((g) => [g.host, g.names]));
}

// Issue 13, done when: a relay that never reads session content. Two hosts seal their sessions;
// a phone, a desktop and the CLI pair with them by the links `baton host pair` prints, see every
// session, and share a terminal on host alpha; the relay's files and output hold none of it.
describe(
  'sealed sessions through a relay: a phone, a desktop and the CLI',
  { timeout: 300_000 },
  () => {
    const relayDir = tempDir('sealed-relay');
    const s = new BrowserSuite('sealed-three-devices', {
      server: () => BatonProcess.start(relayDir, {}, [], 'relay'),
    });
    const hosts: RelayHost[] = [];
    const cliHome = tempDir('sealed-cli-home');
    const followers: ChildProcess[] = [];
    let owner: BatonClient | undefined;
    // Host alpha also runs the real Claude Code, against this scripted model API.
    let model: ScriptedModelApi | undefined;
    let devices:
      { phone: Page; desktop: Page; desktopDevice: BrowserDevice; alphaId: string } | undefined;
    s.closeFirst(async () => {
      await owner?.close();
      stopPairCommands();
      for (const f of followers) if (f.exitCode === null) f.kill('SIGTERM');
      for (const h of hosts) if (h.child.exitCode === null) h.child.kill('SIGTERM');
      await model?.close();
    });
    /** Everything under the relay's data directory, and what it printed, holds none of `needles`. */
    const assertRelayHoldsNone = (needles: string[]) => {
      const relayBytes = rawBytesUnder(relayDir);
      assert.ok(
        readdirSync(relayDir).some((f) => f.endsWith('-wal')),
        `the relay's SQLite WAL is there: ${readdirSync(relayDir).join(', ')}`,
      );
      // The grep sees what the relay does keep in the clear (names are metadata, by design).
      assert.ok(
        relayBytes.includes(Buffer.from('shell on alpha')),
        "the grep reads the relay's data",
      );
      for (const needle of needles) {
        assert.equal(
          relayBytes.includes(Buffer.from(needle)),
          false,
          `the relay's files hold ${needle}`,
        );
        assert.equal(s.baton.output.includes(needle), false, `the relay printed ${needle}`);
      }
    };
    const cli = (...args: string[]) =>
      run(process.execPath, [CLI_MAIN, ...args], {
        env: { ...process.env, BATON_HOME: cliHome },
        timeout: 60_000,
      });

    it('every device opens both hosts; what the phone types reaches the desktop and the CLI, never the relay', async () => {
      model = await startFakeAnthropic();
      const alpha = await startHost(
        s.baton,
        'alpha',
        tempDir('sealed-alpha'),
        claudeServerEnv(model, tempDir('sealed-alpha-env')),
      );
      const beta = await startHost(s.baton, 'beta', tempDir('sealed-beta'));
      hosts.push(alpha, beta);
      owner = await nodeDevice(s.baton.url, s.baton.ownerToken);
      const onAlpha = await owner.createSession({
        kind: 'terminal',
        name: 'shell on alpha',
        config: { ...BASH_TERMINAL, host: 'alpha' },
      });
      const onBeta = await owner.createSession({
        kind: 'terminal',
        name: 'shell on beta',
        config: { ...BASH_TERMINAL, host: 'beta' },
      });
      await owner.close();
      owner = undefined;

      const links = {
        phoneA: await hostPairLink(alpha),
        phoneB: await hostPairLink(beta),
        desktopA: await hostPairLink(alpha),
        desktopB: await hostPairLink(beta),
        cliA: await hostPairLink(alpha),
      };
      const secrets = Object.values(links).map(secretOf);

      // The phone: a new device from alpha's link, then the same device adds beta.
      const phone = await s.device({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      const phoneSent = recordSent(phone.context);
      const phonePage = await phone.open(`${s.baton.url}/`, { connected: false });
      await pairInBrowser(phonePage, links.phoneA, alpha);
      await pairInBrowser(phonePage, links.phoneB, beta);

      // Its keys are WebCrypto keys IndexedDB keeps as they are: the page cannot read them out. A
      // damaged row there is skipped with a log line, and the app goes on.
      const stored = await phonePage.evaluate(async () => {
        const { deviceId } = JSON.parse(localStorage.getItem('baton.device') ?? '{}') as {
          deviceId: string;
        };
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('baton');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error ?? new Error('no database'));
        });
        const tx = db.transaction('sealing', 'readwrite');
        const rows = tx.objectStore('sealing');
        const identity = await new Promise<{
          value: { signing: CryptoKeyPair; agreement: CryptoKeyPair };
        }>((resolve) => {
          const get = rows.get(`${deviceId}/identity`);
          get.onsuccess = () => resolve(get.result as never);
        });
        rows.put({ key: `${deviceId}/counter/s_damaged`, scope: deviceId, value: 'not a number' });
        await new Promise((resolve) => (tx.oncomplete = resolve));
        db.close();
        const keys = [identity.value.signing.privateKey, identity.value.agreement.privateKey];
        return keys.map((k) => `${k instanceof CryptoKey} ${k.extractable} ${k.algorithm.name}`);
      });
      assert.deepEqual(stored, ['true false Ed25519', 'true false X25519']);
      const skipped: string[] = [];
      phonePage.on('console', (m) => {
        if (m.text().startsWith('baton: skipped')) skipped.push(m.text());
      });
      await phonePage.reload();
      await connected(phonePage);

      // The desktop pairs with alpha only at first: beta's session says so instead of content.
      const desktop = await s.device();
      const desktopSent = recordSent(desktop.context);
      const desktopPage = await desktop.open(`${s.baton.url}/`, { connected: false });
      await pairInBrowser(desktopPage, links.desktopA, alpha);
      await desktopPage.goto(`${s.baton.url}/s/${onBeta.id}`);
      await waitFor('the desktop says it is not paired with beta', async () => {
        const text = await desktopPage
          .locator('.sealed-notice')
          .innerText()
          .catch(() => '');
        return /sealed: this device is not paired with host beta/i.test(text) || notYet(text);
      });
      assert.equal(await desktopPage.locator('.terminal-host').count(), 0, 'no terminal shown');
      await screenshot(desktopPage, 'sealed-not-paired');
      await pairInBrowser(desktopPage, links.desktopB, beta);

      // The CLI joins alpha.
      const joined = await cli('join', links.cliA, '--name', 'cli on the test');
      assert.match(joined.stdout, /joined host/);

      // Every device lists the sessions of both hosts, marked sealed.
      for (const page of [phonePage, desktopPage]) {
        await waitFor('both hosts, each with its sealed session', async () => {
          const seen = await listed(page);
          return (
            JSON.stringify(seen) ===
              JSON.stringify({
                alpha: ['shell on alpha (sealed)'],
                beta: ['shell on beta (sealed)'],
              }) || notYet(seen)
          );
        });
      }
      const ls = await cli('ls', '--url', s.baton.url);
      assert.match(ls.stdout, /shell on alpha/);
      assert.match(ls.stdout, /shell on beta/);

      // Each browser opens both hosts' terminals (the prompt, opened on the device).
      for (const page of [phonePage, desktopPage]) {
        await page.goto(`${s.baton.url}/s/${onBeta.id}`);
        await waitForTerminal(page, '$', 60_000);
      }

      // The CLI follows alpha's terminal.
      const tail = spawn(process.execPath, [CLI_MAIN, 'tail', onAlpha.id, '--url', s.baton.url], {
        env: { ...process.env, BATON_HOME: cliHome },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      followers.push(tail);
      let tailed = '';
      tail.stdout.on('data', (chunk: Buffer) => (tailed += chunk.toString()));
      tail.stderr.on('data', (chunk: Buffer) => (tailed += chunk.toString()));

      assert.ok(
        skipped.some((l) => l.includes('a damaged counter')),
        `the damaged row is logged: ${skipped.join(' | ')}`,
      );

      // The phone types a command; its output (not the typed text: the shell computes it) shows on
      // the desktop and in the CLI.
      const tag = randomBytes(6).toString('hex');
      const typed = `echo phone-$((6*7))-${tag}`;
      const output = `phone-42-${tag}`;
      await phonePage.goto(`${s.baton.url}/s/${onAlpha.id}`);
      await waitForTerminal(phonePage, '$', 60_000);
      await desktopPage.goto(`${s.baton.url}/s/${onAlpha.id}`);
      await waitForTerminal(desktopPage, '$', 60_000);
      await phonePage.locator('.terminal-host').click();
      // One input, as a paste or a phone keyboard's suggestion arrives.
      await phonePage.keyboard.insertText(typed);
      await phonePage.keyboard.press('Enter');
      await waitForTerminal(phonePage, output, 30_000);
      await waitForTerminal(desktopPage, output, 30_000);
      await waitFor('the CLI shows the output', () => tailed.includes(output) || notYet(tailed));

      // And the CLI types back: one sealed input the browsers see the result of.
      const cliTyped = `echo cli-$((6*7))-${tag}`;
      const cliOutput = `cli-42-${tag}`;
      await cli('send', onAlpha.id, '--url', s.baton.url, '--', cliTyped);
      await waitForTerminal(phonePage, cliOutput, 30_000);
      await waitForTerminal(desktopPage, cliOutput, 30_000);
      assert.ok((await terminalText(desktopPage)).includes(output));

      // The relay holds and printed none of it: not the typed text, not the output, not a secret.
      // Read while it runs: what is not checkpointed yet is in the WAL, read as raw bytes too.
      assertRelayHoldsNone([output, cliOutput, cliTyped, typed, tag, ...secrets]);
      // The pairing secret stayed in the browsers: no request, header or frame carried it.
      for (const secret of secrets)
        for (const sent of [...phoneSent, ...desktopSent])
          assert.equal(sent.includes(secret), false, 'a browser sent a pairing secret');
      devices = {
        phone: phonePage,
        desktop: desktopPage,
        desktopDevice: desktop,
        alphaId: onAlpha.id,
      };
    });

    it('a Claude session on alpha: the phone asks, the desktop reads the reply; the relay holds neither', async () => {
      assert.ok(devices && model, 'the devices paired in the test before');
      owner = await nodeDevice(s.baton.url, s.baton.ownerToken);
      const chat = await owner.createSession({
        kind: 'claude',
        name: 'claude on alpha',
        config: { cwd: tempDir('sealed-claude-work'), env: claudeSessionEnv(model), host: 'alpha' },
      });
      await owner.close();
      owner = undefined;
      const tag = randomBytes(6).toString('hex');
      const question = `What is the word for ${tag}?`;
      const reply = `The sealed word is ${tag}-reply.`;
      model.script({ kind: 'text', text: reply, chunks: 3, delayMs: 10 });
      for (const page of [devices.phone, devices.desktop]) {
        await page.goto(`${s.baton.url}/s/${chat.id}`);
        await page.locator('.composer').waitFor({ timeout: 60_000 });
      }
      await sendMessage(devices.phone, question);
      for (const page of [devices.desktop, devices.phone])
        await waitFor(
          'the reply, opened',
          async () => {
            const seen = await transcript(page);
            return (
              (seen.some((t) => t.includes(reply)) && seen.some((t) => t.includes(question))) ||
              notYet(seen)
            );
          },
          90_000,
        );
      // The host opened the question for the agent: the model got it.
      assert.ok(JSON.stringify(model.modelCalls()).includes(tag), 'the model got the question');
      assertRelayHoldsNone([question, reply, tag]);
    });

    it('a photo the phone attaches in the sealed Claude session reaches the model and the desktop; the relay holds it sealed', async () => {
      assert.ok(devices && model, 'the devices paired in the tests before');
      const { phone, desktop } = devices;
      // Still on the Claude session of the test before, on both devices.
      await phone.locator('.composer input[type=file][accept="image/*"]').setInputFiles({
        name: 'sealed-photo.png',
        mimeType: 'image/png',
        buffer: TINY_PNG,
      });
      await phone.locator('.attachment-chip[data-status="ready"]').waitFor({ timeout: 30_000 });
      const answer = `A sealed pixel ${randomBytes(4).toString('hex')}.`;
      model.script({ kind: 'text', text: answer, chunks: 2, delayMs: 10 });
      await sendMessage(phone, 'What is in this sealed photo?');
      for (const page of [desktop, phone])
        await page
          .locator('.transcript .msg-assistant', { hasText: answer })
          .waitFor({ timeout: 90_000 });
      // The host opened the photo for the agent: the model got its exact bytes.
      assert.ok(
        JSON.stringify(model.modelCalls()).includes(TINY_PNG.toString('base64')),
        "the model got the photo's bytes",
      );
      // Each browser downloaded the envelope and opened it into an image it can draw.
      for (const [name, page] of [
        ['phone', phone],
        ['desktop', desktop],
      ] as const)
        await waitFor(`the opened thumbnail on the ${name}`, () =>
          page
            .locator('.transcript .attachment-thumb img')
            .evaluateAll((imgs) =>
              imgs.some(
                (img) =>
                  (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
              ),
            ),
        );
      await screenshot(desktop, 'sealed-photo-desktop');
      const relayBytes = rawBytesUnder(relayDir);
      assert.equal(relayBytes.includes(TINY_PNG), false, "the relay's files hold the photo");
      assert.equal(
        relayBytes.includes(Buffer.from(TINY_PNG.toString('base64'))),
        false,
        "the relay's files hold the photo in base64",
      );
    });

    it('two windows of the desktop type into one sealed terminal: what each types runs, in either order', async () => {
      assert.ok(devices, 'the devices paired in the test before');
      const { desktop, desktopDevice, alphaId } = devices;
      await desktop.goto(`${s.baton.url}/s/${alphaId}`);
      await waitForTerminal(desktop, '$', 60_000);
      // A second window of the same browser profile (the same device, the same keys), open and
      // reading before the first types: both start from the device's stored counters.
      const second = await desktopDevice.open(`${s.baton.url}/s/${alphaId}`);
      await waitForTerminal(second, '$', 60_000);
      const tag = randomBytes(6).toString('hex');
      const typeIn = async (page: Page, text: string) => {
        await page.locator('.terminal-host').click();
        await page.keyboard.insertText(text);
        await page.keyboard.press('Enter');
      };
      // The first window types two commands, then the second one (which typed less), then the
      // first again: each window's inputs are sealed in a lane of its own, so the host refuses none.
      await typeIn(desktop, `echo first-$((2*3))-${tag}`);
      await waitForTerminal(desktop, `first-6-${tag}`, 30_000);
      await typeIn(desktop, `echo again-$((2*4))-${tag}`);
      await waitForTerminal(desktop, `again-8-${tag}`, 30_000);
      await typeIn(second, `echo second-$((3*3))-${tag}`);
      for (const page of [second, desktop]) await waitForTerminal(page, `second-9-${tag}`, 30_000);
      await typeIn(desktop, `echo third-$((5*2))-${tag}`);
      for (const page of [second, desktop]) await waitForTerminal(page, `third-10-${tag}`, 30_000);
      await screenshot(second, 'sealed-two-windows');
      await second.close();
    });
  },
);
