import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import type { SessionInfo } from '@baton/protocol';
import { startServer } from '@baton/server';
import { startWelcomedHost, waitForSessionKey, waitUntil } from '@baton/server/testing';
import {
  encodePairingFragment,
  generateDeviceIdentity,
  importDeviceIdentity,
  newPairingSecret,
  rotateSessionKey,
  sealEnvelope,
  KeyRing,
  type ExportedDeviceIdentity,
} from '@baton/seal';
import { BatonClient } from '../baton-client.js';
import type { SessionBase } from '../session-log.js';
import { createPairing } from '../pairing-api.js';
import { fetchJson } from '../testing/fetch-json.js';
import { tempDataDir } from '../testing/test-server.js';
import type { WebSocketConstructor } from '../web-socket-like.js';
import { MemorySealingStore } from './memory-sealing-store.js';
import { pairWithHost } from './pair-with-host.js';

/**
 * Integration: a real relay (SQLite), a real sealing host running a real PTY, and the SDK as a
 * late joiner paired with the host by link. The relay never reads the session; the host
 * projects it and seals its snapshots (docs/protocol.md, "Sealed snapshots").
 */

/** Made by the shell (the session's config, which the relay stores in the clear, never has it). */
const MARKER = 'MARK42ER';
const SCRIPT =
  'i=0; while [ $i -lt 150 ]; do echo "line $i of the sealed terminal"; i=$((i+1)); sleep 0.02; done; ' +
  'echo "MARK$((6*7))ER"; exec sleep 100000';

const json = fetchJson;

test('a late joiner of a sealed terminal gets the host-made snapshot: it opens to the screen, the relay stores no plaintext, and a forged snapshot is refused', async (t) => {
  const dir = tempDataDir(t);
  const relayDir = join(dir, 'relay');
  const hostDir = join(dir, 'host');
  const relay = await startServer({
    dataDir: relayDir,
    port: 0,
    logLevel: 'error',
    relay: true,
    // Small, so the relay compacts the session up to the host's snapshot.
    retentionEvents: 20,
  });
  t.after(() => relay.close());
  const { host, hostId } = await startWelcomedHost(relay, {
    name: 'desk',
    dataDir: hostDir,
    snapshotEvery: 10,
    snapshotQuietMs: 300,
  });
  let hostClosed = false;
  t.after(async () => {
    if (!hostClosed) await host.close();
  });

  // The device pairs with the host by link, as `baton host pair` makes it.
  const exported = JSON.parse(
    readFileSync(join(hostDir, 'host-identity.json'), 'utf8'),
  ) as ExportedDeviceIdentity;
  const hostKeys = (await importDeviceIdentity({ ...exported, deviceId: hostId! })).publicKeys;
  const viewerCode = (await createPairing(relay.url, relay.ownerToken, { role: 'viewer' })).code;
  const secret = newPairingSecret();
  writeFileSync(
    join(hostDir, 'pending-pairings.json'),
    JSON.stringify([{ code: viewerCode, secret, expiresAt: Date.now() + 600_000 }]),
    { mode: 0o600 },
  );
  const store = new MemorySealingStore();
  const link = `${relay.url}/pair#${encodePairingFragment({ code: viewerCode, host: hostKeys, pairingSecret: secret })}`;
  const device = await pairWithHost(link, { store, name: 'late' });

  const created = await json<{ session: SessionInfo }>(
    `${relay.url}/api/sessions`,
    relay.ownerToken,
    'POST',
    {
      kind: 'terminal',
      config: { host: 'desk', shell: '/bin/sh', args: ['-c', SCRIPT], cols: 80, rows: 24 },
    },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const sessionId = created.body.session.id;
  assert.deepEqual(created.body.session.sealed?.hostId, hostId);
  await waitForSessionKey(relay.url, device.token, sessionId);

  const diagnostics: string[] = [];
  /** What a fresh joiner gets: the snapshot it starts from, opened by the SDK. */
  const join_ = async (): Promise<SessionBase | undefined> => {
    const client = new BatonClient({
      url: relay.wsUrl,
      token: device.token,
      mode: 'headless',
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      sealing: { store },
    });
    client.on('error', (e) => diagnostics.push(e.message));
    try {
      client.connect();
      await client.whenConnected(10_000);
      const session = client.subscribe(sessionId, { readOnly: true });
      return await waitUntil(() => session.base, 'a snapshot', 5_000).catch(() => undefined);
    } finally {
      await client.close();
    }
  };
  const screenOf = (base: SessionBase | undefined) => {
    const runner = base?.state?.runner;
    return runner?.kind === 'terminal' ? runner.screen : '';
  };
  const base = await waitUntil(
    async () => {
      const b = await join_();
      return screenOf(b).includes(MARKER) && b;
    },
    'a late joiner gets a snapshot whose screen holds the marker',
    60_000,
  );
  assert.equal(base.reason, 'retention', 'the relay compacted the events up to the snapshot');
  assert.match(screenOf(base), /line 149 of the sealed terminal/);
  assert.deepEqual(diagnostics, []);

  // What the relay stored: envelopes only. The marker is nowhere in its SQLite files.
  const bytes = Buffer.concat(
    ['baton.db', 'baton.db-wal']
      .map((f) => join(relayDir, f))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f)),
  );
  assert.ok(bytes.includes('snap.'), 'the host snapshot is stored');
  assert.ok(!bytes.includes(MARKER), 'the relay stores no plaintext of the screen');
  assert.ok(!bytes.includes('line 149 of'), 'nor of the output');

  // A forged snapshot (signed with another key, claiming the host) closes the link (4400).
  await host.close();
  hostClosed = true;
  const forger = await generateDeviceIdentity(hostId!);
  const ring = new KeyRing();
  const key = await rotateSessionKey(ring, sessionId);
  const forged = await sealEnvelope({
    identity: forger,
    sessionKey: key,
    kind: 'snapshot',
    id: `snap.${base.seq}`,
    counter: 2 ** 52 + base.seq,
    plaintext: new TextEncoder().encode(
      JSON.stringify({ kind: 'terminal', screen: 'forged', cols: 80, rows: 24 }),
    ),
  });
  const ws = new WebSocket(relay.url.replace(/^http/, 'ws') + '/v1/host');
  const closed = new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(
    JSON.stringify({
      type: 'host.hello',
      version: 4,
      token: readFileSync(join(hostDir, 'host-token'), 'utf8').trim(),
      running: [],
      keys: { signingKey: hostKeys.signingKey, agreementKey: hostKeys.agreementKey },
      sealed: true,
    }),
  );
  await new Promise((resolve) => ws.once('message', resolve));
  ws.send(JSON.stringify({ type: 'snapshot', sessionId, seq: base.seq, sealed: forged }));
  assert.equal(await closed, 4400, 'the relay refuses a snapshot the host did not sign');
  const after = await join_();
  assert.ok(screenOf(after).includes(MARKER), 'the host snapshot is still the one served');
});
