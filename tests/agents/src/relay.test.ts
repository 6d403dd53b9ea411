import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import {
  HOST_LINK_PATH,
  HOST_LINK_VERSION,
  HostLinkClose,
  type SessionInfo,
} from '@baton/protocol';
import { generateDeviceIdentity, signHostKeyProof } from '@baton/seal';
import { BASH_TERMINAL } from '@baton/server/testing';
import { claudeSessionConfig, tempDir } from './agent-env.js';
import { Device, type DeviceKeys } from './device.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { HostProcess } from './host-process.js';
import { ServerProcess } from './server-process.js';

/**
 * `baton relay` with two `baton host` processes on 127.0.0.1, each a real process: a terminal
 * (real PTY) on one host and a real Claude Code conversation (against the fake model API) on
 * the other, driven by devices connected to the relay only. The hosts seal (the default): each
 * device is paired with its host by the link `baton host pair` prints, seals what it sends and
 * opens every event and fragment with the SDK before any check reads it.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The numbers of `line-N` lines in terminal text, in order (the echo commands excluded). Only
 * whole lines count: a stream cut mid-line (a host killed while it printed `line-5758`) ends in
 * a piece such as `line-5`, which is no line until its line break arrives.
 */
function lineNumbers(text: string): number[] {
  return [...text.matchAll(/^line-(\d+)\r?(?=\n)/gm)].map((m) => Number(m[1]));
}

describe('baton relay with two hosts', { timeout: 240_000 }, () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  let api: FakeAnthropic;
  let relay: ServerProcess;
  let relayPort: number;
  const relayData = tempDir('relay');
  let alpha: HostProcess;
  let beta: HostProcess;
  const alphaData = tempDir('host-alpha');
  const betaData = tempDir('host-beta');
  /** One device per session: a Device checks one gap-free log. */
  let desk: Device;
  let phone: Device;
  /** desk is paired with alpha (the terminal), phone with beta (Claude). */
  let deskKeys: DeviceKeys;
  let phoneKeys: DeviceKeys;
  let terminal: SessionInfo;
  let claude: SessionInfo;

  const sessions = async (): Promise<SessionInfo[]> => {
    const res = await fetch(`${relay.url}/api/sessions`, {
      headers: { authorization: `Bearer ${relay.ownerToken}` },
    });
    return ((await res.json()) as { sessions: SessionInfo[] }).sessions;
  };
  const hostOf = async (id: string) => (await sessions()).find((s) => s.id === id)?.host;
  const ownerCode = async () =>
    (JSON.parse(await relay.cli('pair', '--role', 'owner', '--json')) as { code: string }).code;

  before(async () => {
    api = await new FakeAnthropic().start();
    cleanup.push(() => api.close());
    relayPort = await freePort();
    relay = await ServerProcess.start(relayData, { command: 'relay', port: relayPort });
    cleanup.push(() => relay.stop());
    alpha = await HostProcess.start(relay.url, alphaData, {
      code: await ownerCode(),
      name: 'alpha',
    });
    cleanup.push(() => alpha.stop());
    beta = await HostProcess.start(relay.url, betaData, { code: await ownerCode(), name: 'beta' });
    cleanup.push(() => beta.stop());
    deskKeys = await Device.pair(await HostProcess.pairLink(relay.url, alphaData), 'desk');
    phoneKeys = await Device.pair(await HostProcess.pairLink(relay.url, betaData), 'phone');
    desk = await Device.connect(relay.url, deskKeys.token, 'desk', 'tab', deskKeys);
    cleanup.push(() => desk.close());
    phone = await Device.connect(relay.url, phoneKeys.token, 'phone', 'mobile', phoneKeys);
    cleanup.push(() => phone.close());
  });
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('refuses a session that names no host, or an unknown one, saying which hosts there are', async () => {
    await assert.rejects(
      desk.request({ type: 'session.create', kind: 'terminal', config: {} }),
      /relay.*name one.*alpha.*beta|relay.*name one.*beta.*alpha/,
    );
    await assert.rejects(
      desk.request({ type: 'session.create', kind: 'terminal', config: { host: 'gamma' } }),
      /no host is called 'gamma'/,
    );
  });

  it('a terminal on alpha and Claude on beta work end to end, listed by host', async () => {
    ({ session: terminal } = await desk.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'terminal',
      name: 'shell on alpha',
      // bash without the machine's rc files: a user's .bashrc can block for a minute.
      config: { ...BASH_TERMINAL, host: 'alpha', cols: 100, rows: 30 },
    }));
    ({ session: claude } = await desk.request<{ session: SessionInfo }>({
      type: 'session.create',
      kind: 'claude',
      name: 'claude on beta',
      config: { ...claudeSessionConfig(api, tempDir('relay-claude')), host: 'beta' },
    }));
    assert.equal(terminal.host?.name, 'alpha');
    assert.equal(claude.host?.name, 'beta');
    assert.equal(terminal.host?.online, true);
    assert.equal(terminal.sealed?.hostId, deskKeys.hostId, 'the terminal is sealed by alpha');
    assert.equal(claude.sealed?.hostId, phoneKeys.hostId, 'Claude is sealed by beta');
    await desk.keysFor(terminal.id);
    await phone.keysFor(claude.id);

    // The CLI lists every machine's sessions, one group per host.
    const ls = await relay.cli('ls');
    assert.match(ls, /host alpha \(online\)\n.*\n.*shell on alpha/);
    assert.match(ls, /host beta \(online\)\n.*\n.*claude on beta/);

    await desk.subscribe(terminal.id);
    await phone.subscribe(claude.id);
    await desk.type(terminal.id, 't-1', 'echo relay-$((40+2))\r');
    await desk.waitFor('the shell on alpha answers', () =>
      desk.terminalText().includes('relay-42'),
    );

    api.script({ kind: 'text', text: 'beta answers through the relay', chunks: 4 });
    await phone.say(claude.id, 'c-1', 'hello from the phone');
    await phone.waitFor('Claude on beta answers', () =>
      phone
        .ofType('agent.text')
        .some((e) => e.data.text.includes('beta answers through the relay')),
    );
    await phone.waitFor('the turn ends', () => phone.turnsEnded() === 1);

    // The relay stored envelopes only: what was typed and shown is in no stored body.
    const stored = (await (
      await fetch(`${relay.url}/api/sessions/${terminal.id}/events?after=0&limit=1000`, {
        headers: { authorization: `Bearer ${relay.ownerToken}` },
      })
    ).json()) as { events: { type: string; data: Record<string, unknown> }[] };
    const outputs = stored.events.filter((e) => e.type === 'terminal.output');
    assert.ok(outputs.length > 0 && outputs.every((e) => 'sealed' in e.data));
    assert.ok(!JSON.stringify(stored).includes('relay-42'), 'no plaintext at the relay');
    assert.deepEqual([...desk.refused, ...phone.refused], []);
  });

  it('a host offline: its sessions show it, a chat message waits, a keystroke expires', async () => {
    await alpha.kill9();
    await beta.kill9();
    await until('both hosts offline', async () => {
      const list = await sessions();
      return list.length === 2 && list.every((s) => s.host?.online === false);
    });
    assert.match(await relay.cli('ls'), /host alpha \(offline\)/);

    await desk.type(terminal.id, 't-offline', 'echo typed-while-$((1+1))-offline\r');
    api.script({ kind: 'text', text: 'the message that waited is answered' });
    await phone.say(claude.id, 'c-offline', 'sent while beta was away');

    alpha = await HostProcess.start(relay.url, alphaData);
    beta = await HostProcess.start(relay.url, betaData);
    await until('both hosts online', async () =>
      (await sessions()).every((s) => s.host?.online === true),
    );
    await phone.waitFor('the waiting message is answered', () =>
      phone.ofType('agent.text').some((e) => e.data.text.includes('the message that waited')),
    );
    // The restarted host runs a new shell; the keystroke typed while it was away never ran.
    await desk.type(terminal.id, 't-back', 'echo back-$((2+3))\r');
    await desk.waitFor('the new shell answers', () => desk.terminalText().includes('back-5'));
    assert.equal(desk.terminalText().includes('typed-while-2-offline'), false);
  });

  it('kill -9 of the relay mid-stream: every line arrives once, in order', async () => {
    // Paced, so that the shell prints on while the relay is down and while it starts again:
    // that output waits on the host and must arrive once, in order, after the reconnect.
    const total = 3000;
    await desk.type(
      terminal.id,
      't-stream',
      `for i in $(seq 1 ${total}); do echo line-$i; sleep 0.004; done; echo stream-$((100+1))-done\r`,
    );
    await desk.waitFor('the stream has begun', () => lineNumbers(desk.terminalText()).length > 20);
    await relay.kill9();
    // What the first device saw, then the rest from where it stopped: the log read as a client
    // resuming reads it (a fresh subscribe from 0 may get a screen snapshot instead of events).
    const seen = desk.terminalText();
    const seenUpTo = desk.position;
    desk.close();
    phone.close();
    relay = await ServerProcess.start(relayData, { command: 'relay', port: relayPort });
    await alpha.online(2, 60_000);
    await beta.online(2, 60_000);
    desk = await Device.connect(relay.url, deskKeys.token, 'desk', 'tab', deskKeys);
    await desk.subscribe(terminal.id, seenUpTo);
    assert.ok(
      !(seen + desk.terminalText()).includes('stream-101-done'),
      'the stream was still running when the relay came back (else this test proves nothing)',
    );
    await desk.waitFor(
      'the whole stream through the new relay',
      () => desk.terminalText().includes('stream-101-done'),
      60_000,
    );
    const lines = lineNumbers(seen + desk.terminalText());
    assert.deepEqual(
      lines,
      Array.from({ length: total }, (_, i) => i + 1),
      'no line lost, duplicated or reordered',
    );
    assert.deepEqual(desk.refused, [], 'every stored body opened and verified');
  });

  it('kill -9 of the host mid-stream: what reached the relay is a gap-free prefix', async () => {
    const before = lineNumbers(desk.terminalText()).length;
    await desk.type(terminal.id, 't-stream-2', `for i in $(seq 1 200000); do echo line-$i; done\r`);
    await desk.waitFor(
      'the second stream has begun',
      () => lineNumbers(desk.terminalText()).length > before + 100,
    );
    await alpha.kill9();
    await until('alpha offline', async () => (await hostOf(terminal.id))?.online === false);
    const second = lineNumbers(desk.terminalText()).slice(before);
    assert.ok(second.length > 100);
    assert.deepEqual(
      second,
      Array.from({ length: second.length }, (_, i) => i + 1),
      'the lines stored before the host died are 1..k, none twice, none out of order',
    );
    assert.deepEqual(desk.refused, [], 'every stored body opened and verified');
    alpha = await HostProcess.start(relay.url, alphaData);
  });

  it('a bad host frame or credential closes that link alone; the other hosts go on', async () => {
    // Real keys with their proof: the hello itself passes, so what closes the link is `after`.
    const identity = await generateDeviceIdentity('gamma');
    const keys = {
      signingKey: identity.publicKeys.signingKey,
      agreementKey: identity.publicKeys.agreementKey,
    };
    const linkClosed = async (token: string, after: string | undefined) => {
      const proof = await signHostKeyProof(identity.signing.privateKey, token, keys);
      return new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(relay.url.replace(/^http/, 'ws') + HOST_LINK_PATH);
        ws.on('error', reject);
        ws.on('open', () => {
          ws.send(
            JSON.stringify({
              type: 'host.hello',
              version: HOST_LINK_VERSION,
              token,
              running: [],
              keys,
              proof,
            }),
          );
          if (after !== undefined) ws.send(after);
        });
        ws.on('close', (code) => resolve(code));
      });
    };
    assert.equal(await linkClosed('not-a-token', undefined), HostLinkClose.Unauthorized);
    // A viewer's credential is no host's.
    const viewer = (await (
      await fetch(`${relay.url}/api/pairings/redeem`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          code: (
            JSON.parse(await relay.cli('pair', '--role', 'viewer', '--json')) as { code: string }
          ).code,
          deviceName: 'a viewer',
        }),
      })
    ).json()) as { deviceToken: string };
    assert.equal(await linkClosed(viewer.deviceToken, undefined), HostLinkClose.Unauthorized);
    const owner = (await (
      await fetch(`${relay.url}/api/pairings/redeem`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: await ownerCode(), deviceName: 'gamma' }),
      })
    ).json()) as { deviceToken: string };
    assert.equal(
      await linkClosed(owner.deviceToken, '{"type":"out","sessionId":"s_x","n":0}'),
      HostLinkClose.BadFrame,
    );
    assert.equal(await linkClosed(owner.deviceToken, 'not json'), HostLinkClose.BadFrame);
    // alpha (restarted above) and beta stayed online, and the relay serves on.
    await until('alpha back online', async () => (await hostOf(terminal.id))?.online === true);
    assert.equal((await hostOf(claude.id))?.online, true);
  });

  it('Stop from a device ends the session on its host', async () => {
    await desk.request({ type: 'session.stop', sessionId: terminal.id });
    await until(
      'the terminal exited',
      async () => (await sessions()).find((s) => s.id === terminal.id)?.status === 'exited',
    );
    await desk.request({ type: 'session.stop', sessionId: claude.id });
    await until('Claude stopped', async () => {
      const s = (await sessions()).find((x) => x.id === claude.id);
      return s?.status === 'exited';
    });
  });
});
