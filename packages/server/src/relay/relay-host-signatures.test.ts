import assert from 'node:assert/strict';
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import {
  HOST_LINK_PATH,
  HOST_LINK_VERSION,
  HostLinkClose,
  type HostKeys,
  type HostListResponse,
  type HostMessage,
  type RelayMessage,
  type SessionInfo,
} from '@baton/protocol';
import {
  generateDeviceIdentity,
  keyFingerprint,
  signHostKeyProof,
  signHostOut,
  type DeviceIdentity,
} from '@baton/seal';
import { IDENTITY_FILE } from '../host/host-identity.js';
import { HostStartError } from '../host/host-start-error.js';
import { startHost } from '../host/start-host.js';
import type { RunnerFactory } from '../runners/runner.js';
import { SqliteStore } from '../storage/sqlite-store.js';
import { callApi } from '../testing/http-api.js';
import { ownerPairingCode, startWelcomedHost } from '../testing/relay-host.js';
import { QUIET_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

type OutBody = Extract<HostMessage, { type: 'out' }>['body'];

const keysOf = (identity: DeviceIdentity): HostKeys => ({
  signingKey: identity.publicKeys.signingKey,
  agreementKey: identity.publicKeys.agreementKey,
});

/**
 * A host-link client that speaks the frames by hand, so a test can send what no real host
 * would: output signed by another key, or a signature moved to other content. It answers every
 * relay request (start, stop…) with success.
 */
class RawHost {
  readonly frames: RelayMessage[] = [];
  closeCode: number | undefined;
  closeReason = '';

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as RelayMessage;
      this.frames.push(frame);
      if ('ref' in frame && frame.type !== 'read.result')
        ws.send(JSON.stringify({ type: 'host.reply', ref: frame.ref }));
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString('utf8');
    });
  }

  /** Says `host.hello` with `identity`'s keys and its proof of possession over `token`. */
  static async connect(
    relayUrl: string,
    token: string,
    identity: DeviceIdentity,
  ): Promise<RawHost> {
    const keys = keysOf(identity);
    const proof = await signHostKeyProof(identity.signing.privateKey, token, keys);
    const ws = new WebSocket(relayUrl.replace(/^http/, 'ws') + HOST_LINK_PATH);
    const host = new RawHost(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(
      JSON.stringify({
        type: 'host.hello',
        version: HOST_LINK_VERSION,
        token,
        running: [],
        keys,
        proof,
      } satisfies HostMessage),
    );
    return host;
  }

  welcomed(): Promise<unknown> {
    return waitUntil(
      () => this.frames.some((f) => f.type === 'host.welcome') || this.closeCode !== undefined,
      'the relay answers the hello',
    );
  }

  closed(): Promise<number> {
    return waitUntil(() => this.closeCode, 'the relay closes the link');
  }

  acked(sessionId: string, n: number): boolean {
    return this.frames.some((f) => f.type === 'out.ack' && f.sessionId === sessionId && f.n === n);
  }

  send(frame: HostMessage): void {
    this.ws.send(JSON.stringify(frame));
  }
}

const output = (text: string): OutBody => ({
  kind: 'events',
  events: [{ type: 'terminal.output', data: { data: text } }],
});

async function ownerToken(relayUrl: string, owner: string, deviceName: string): Promise<string> {
  const pairing = await callApi<{ code: string }>(relayUrl, owner, 'POST', '/api/pairings', {
    role: 'owner',
  });
  const redeemed = await callApi<{ deviceToken: string }>(
    relayUrl,
    '',
    'POST',
    '/api/pairings/redeem',
    { code: pairing.body.code, deviceName },
  );
  assert.equal(redeemed.status, 201, JSON.stringify(redeemed.body));
  return redeemed.body.deviceToken;
}

test('the relay stores host output its pinned key signed and refuses every forgery, storing none of it', async (t) => {
  const data = tempDataDir('baton-relay-');
  const store = new SqliteStore(join(data.dir, 'baton.db'));
  const relay = await startTestServer({ relay: true, dataDir: data.dir, store });
  const hosts: RawHost[] = [];
  t.after(async () => {
    for (const h of hosts) h.ws.terminate();
    await relay.close();
    data.remove();
  });
  const host = await generateDeviceIdentity('host', { extractable: true });
  const thief = await generateDeviceIdentity('thief', { extractable: true });
  const token = await ownerToken(relay.url, relay.ownerToken, 'laptop');
  const connect = async () => {
    const h = await RawHost.connect(relay.url, token, host);
    hosts.push(h);
    await h.welcomed();
    assert.equal(h.closeCode, undefined, h.closeReason);
    return h;
  };

  let link = await connect();
  const create = async () => {
    const created = await callApi<{ session: SessionInfo }>(
      relay.url,
      relay.ownerToken,
      'POST',
      '/api/sessions',
      { kind: 'terminal', config: { ...QUIET_TERMINAL, host: 'laptop' } },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.session;
  };
  const session = await create();
  const other = await create();
  assert.equal(session.host?.keyFingerprint, await keyFingerprint(host.publicKeys.signingKey));
  const stored = async (sessionId: string) =>
    (await store.readEvents(sessionId, 0, 1000))
      .filter((e) => e.type === 'terminal.output')
      .map((e) => (JSON.parse(e.dataJson) as { data: string }).data);

  // The normal path: signed by the pinned key, so stored and acknowledged.
  const first = output('signed-1');
  link.send({
    type: 'out',
    sessionId: session.id,
    n: 1,
    body: first,
    sig: await signHostOut(host.signing.privateKey, session.id, 1, first),
  });
  await waitUntil(() => link.acked(session.id, 1), 'out 1 is acknowledged');
  assert.deepEqual(await stored(session.id), ['signed-1']);

  const forged = output('FORGED');
  const forgeries: [string, HostMessage][] = [
    ['no signature', { type: 'out', sessionId: session.id, n: 2, body: forged }],
    [
      'a signature of random bytes',
      {
        type: 'out',
        sessionId: session.id,
        n: 2,
        body: forged,
        sig: Buffer.alloc(64, 7).toString('base64url'),
      },
    ],
    [
      'signed by another key',
      {
        type: 'out',
        sessionId: session.id,
        n: 2,
        body: forged,
        sig: await signHostOut(thief.signing.privateKey, session.id, 2, forged),
      },
    ],
    [
      "the host's signature over other content",
      {
        type: 'out',
        sessionId: session.id,
        n: 2,
        body: forged,
        sig: await signHostOut(host.signing.privateKey, session.id, 2, output('harmless')),
      },
    ],
    [
      "the host's signature for another session",
      {
        type: 'out',
        sessionId: session.id,
        n: 2,
        body: forged,
        sig: await signHostOut(host.signing.privateKey, other.id, 2, forged),
      },
    ],
    [
      "the host's signature for another out number",
      {
        type: 'out',
        sessionId: session.id,
        n: 2,
        body: forged,
        sig: await signHostOut(host.signing.privateKey, session.id, 3, forged),
      },
    ],
  ];
  for (const [what, frame] of forgeries) {
    link.send(frame);
    assert.equal(await link.closed(), HostLinkClose.BadFrame, `${what}: the link is closed`);
    assert.ok(!link.acked(session.id, 2), `${what}: not acknowledged`);
    const refusal = link.frames.find((f) => f.type === 'error');
    assert.ok(refusal?.type === 'error' && /not signed/.test(refusal.error.message), what);
    assert.deepEqual(await stored(session.id), ['signed-1'], `${what}: nothing stored`);
    link = await connect();
  }
  assert.deepEqual(await stored(other.id), [], 'nothing reached the other session either');

  // The host's own next output still goes through on the same grant and keys.
  const second = output('signed-2');
  link.send({
    type: 'out',
    sessionId: session.id,
    n: 2,
    body: second,
    sig: await signHostOut(host.signing.privateKey, session.id, 2, second),
  });
  await waitUntil(() => link.acked(session.id, 2), 'out 2 is acknowledged');
  assert.deepEqual(await stored(session.id), ['signed-1', 'signed-2']);
});

test('a second registration with other keys under the same grant is refused; a new pairing may bring new keys', async (t) => {
  const relay = await startTestServer({ relay: true });
  const links: RawHost[] = [];
  t.after(async () => {
    for (const h of links) h.ws.terminate();
    await relay.stop();
  });
  const first = await generateDeviceIdentity('host', { extractable: true });
  const second = await generateDeviceIdentity('host', { extractable: true });
  const token = await ownerToken(relay.url, relay.ownerToken, 'laptop');

  const a = await RawHost.connect(relay.url, token, first);
  links.push(a);
  await a.welcomed();
  assert.equal(a.closeCode, undefined, a.closeReason);

  const b = await RawHost.connect(relay.url, token, second);
  links.push(b);
  assert.equal(await b.closed(), HostLinkClose.KeysMismatch);
  assert.match(b.closeReason, /other keys/);
  const refusal = b.frames.find((f) => f.type === 'error');
  assert.ok(refusal?.type === 'error' && /pair the host again/.test(refusal.error.message));
  assert.equal(a.closeCode, undefined, 'the registered link goes on');

  // The same keys again (a reconnect) are welcome; so are new keys under a new grant.
  const again = await RawHost.connect(relay.url, token, first);
  links.push(again);
  await again.welcomed();
  assert.ok(again.frames.some((f) => f.type === 'host.welcome'));
  const repaired = await RawHost.connect(
    relay.url,
    await ownerToken(relay.url, relay.ownerToken, 'laptop-2'),
    second,
  );
  links.push(repaired);
  await repaired.welcomed();
  assert.equal(repaired.closeCode, undefined, repaired.closeReason);
});

test('baton host keeps its identity in a 0600 file across restarts, and refuses one others can read', async (t) => {
  const data = tempDataDir('baton-relay-');
  const store = new SqliteStore(join(data.dir, 'baton.db'));
  const relay = await startTestServer({ relay: true, dataDir: data.dir, store });
  const hostDir = tempDataDir('baton-host-');
  t.after(async () => {
    await relay.close();
    data.remove();
    hostDir.remove();
  });
  const ownerCode = await ownerPairingCode(relay);
  let online = 0;
  const start = (code?: string) =>
    startHost({
      relay: relay.url,
      dataDir: hostDir.dir,
      ...(code !== undefined ? { code } : {}),
      name: 'desk',
      logLevel: 'silent',
      // It reads the stored output: a plaintext host (sealed sessions: relay-sealed.test.ts).
      plaintext: true,
      onOnline: () => online++,
    });
  const first = await start(ownerCode);
  await waitUntil(() => online === 1, 'the relay welcomes the host');
  const file = join(hostDir.dir, IDENTITY_FILE);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.match(first.keyFingerprint, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
  const listed = async () =>
    (await callApi<HostListResponse>(relay.url, relay.ownerToken, 'GET', '/api/hosts')).body
      .hosts[0];
  assert.equal((await listed())?.keyFingerprint, first.keyFingerprint);

  // Real output through the real host: signed, verified, stored.
  const created = await callApi<{ session: SessionInfo }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/sessions',
    {
      kind: 'terminal',
      config: {
        shell: '/bin/sh',
        args: ['-c', 'echo SIGNED-OUTPUT; exec sleep 100000'],
        host: 'desk',
      },
    },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.session.host?.keyFingerprint, first.keyFingerprint);
  const id = created.body.session.id;
  await waitUntil(async () => {
    const events = await store.readEvents(id, 0, 1000);
    return events.some((e) => e.type === 'terminal.output' && e.dataJson.includes('SIGNED-OUTPUT'));
  }, 'the host output is stored');
  await first.close();

  // A restart reads the same identity; the relay takes it (the pinned keys match).
  const second = await start();
  assert.equal(second.keyFingerprint, first.keyFingerprint);
  await waitUntil(() => online === 2, 'the relay welcomes the restarted host');
  await second.close();

  chmodSync(file, 0o644);
  await assert.rejects(start(), (err: Error) => {
    assert.ok(err instanceof HostStartError);
    assert.match(err.message, /others may read it \(mode 644\): run chmod 600/);
    return true;
  });
});

test('the pinned keys survive a relay restart', async (t) => {
  const data = tempDataDir('baton-relay-');
  let relay = await startTestServer({ relay: true, dataDir: data.dir });
  const links: RawHost[] = [];
  t.after(async () => {
    for (const h of links) h.ws.terminate();
    await relay.close();
    data.remove();
  });
  const host = await generateDeviceIdentity('host', { extractable: true });
  const other = await generateDeviceIdentity('host', { extractable: true });
  const token = await ownerToken(relay.url, relay.ownerToken, 'laptop');
  const first = await RawHost.connect(relay.url, token, host);
  links.push(first);
  await first.welcomed();
  assert.equal(first.closeCode, undefined, first.closeReason);
  const fingerprint = await keyFingerprint(host.publicKeys.signingKey);
  const listed = async () =>
    (await callApi<HostListResponse>(relay.url, relay.ownerToken, 'GET', '/api/hosts')).body
      .hosts[0];
  await waitUntil(
    async () => (await listed())?.keyFingerprint === fingerprint,
    'the relay lists the pinned key',
  );

  const { port, ownerToken: owner } = relay;
  await relay.close();
  relay = await startTestServer({ relay: true, dataDir: data.dir, port, ownerToken: owner });
  assert.equal((await listed())?.keyFingerprint, fingerprint, 'listed while offline, too');
  const impostor = await RawHost.connect(relay.url, token, other);
  links.push(impostor);
  assert.equal(await impostor.closed(), HostLinkClose.KeysMismatch);
  const back = await RawHost.connect(relay.url, token, host);
  links.push(back);
  await back.welcomed();
  assert.equal(back.closeCode, undefined, back.closeReason);
});

test('runner output holding a lone surrogate is still signed, verified and stored (as U+FFFD)', async (t) => {
  const data = tempDataDir('baton-relay-');
  const store = new SqliteStore(join(data.dir, 'baton.db'));
  const relay = await startTestServer({ relay: true, dataDir: data.dir, store });
  const hostDir = tempDataDir('baton-host-');
  // A shell stand-in whose first output is a cut emoji (its high surrogate alone), as an agent's
  // JSON output can hold one; RFC 8785 has no spelling for it.
  const cut: RunnerFactory = {
    kind: 'terminal',
    create: (ctx) => ({
      start: async () => {
        await ctx.emit([{ type: 'terminal.output', data: { data: 'cut \ud83d emoji' } }]);
        await ctx.emit([{ type: 'terminal.output', data: { data: 'and after it' } }]);
      },
      input: () => Promise.resolve(),
      interrupt: () => Promise.resolve(),
      resize: () => {},
      stop: () => Promise.resolve(),
    }),
  };
  const { close } = await startWelcomedHost(relay, {
    name: 'desk',
    dataDir: hostDir.dir,
    // It reads the stored output: a plaintext host (sealed sessions: relay-sealed.test.ts).
    plaintext: true,
    runners: [cut],
  });
  t.after(async () => {
    await close();
    await relay.close();
    data.remove();
    hostDir.remove();
  });
  const created = await callApi<{ session: SessionInfo }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/sessions',
    { kind: 'terminal', config: { ...QUIET_TERMINAL, host: 'desk' } },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const texts = await waitUntil(async () => {
    const events = await store.readEvents(created.body.session.id, 0, 1000);
    const out = events
      .filter((e) => e.type === 'terminal.output')
      .map((e) => (JSON.parse(e.dataJson) as { data: string }).data);
    return out.length === 2 && out;
  }, 'both outputs are stored');
  assert.deepEqual(texts, ['cut \ufffd emoji', 'and after it']);
});
