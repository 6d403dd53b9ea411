import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  PairingRedeemed,
  type InputPayload,
  type SessionInfo,
  type SessionKeysResponse,
} from '@baton/protocol';
import {
  AuthorCounter,
  CounterGuard,
  DeviceRegistry,
  KeyRing,
  applyRoster,
  createIntroduction,
  decodePairingFragment,
  generateDeviceIdentity,
  openEnvelope,
  sealEnvelope,
  unwrapSessionKey,
  type DeviceIdentity,
  type DevicePublicKeys,
  type SealedEnvelope,
} from '@baton/seal';
import { pairDeviceWithHost } from '../host/pair-device.js';
import { startHost } from '../host/start-host.js';
import type { RunnerFactory } from '../runners/runner.js';
import { callApi } from '../testing/http-api.js';
import { ownerPairingCode } from '../testing/relay-host.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { BASH_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

/**
 * A sealed relay for tests (docs/protocol.md, "Sealed sessions"): a real relay on port 0 with a
 * SQLite data directory, a real host linked to it, one session on that host, and devices paired
 * by link, each played by @baton/seal over raw HTTP and WebSocket.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export class Device {
  readonly registry = new DeviceRegistry();
  readonly ring = new KeyRing();
  readonly guard = new CounterGuard();
  readonly own = new AuthorCounter();
  rosterVersion = 0;
  constructor(
    readonly identity: DeviceIdentity,
    readonly token: string,
    readonly host: DevicePublicKeys,
  ) {
    this.registry.add(host);
  }

  /** Fetches the roster and keys (checked with the host keys from the link) from the relay. */
  async fetchKeys(url: string, sessionId: string): Promise<number> {
    const { status, body } = await callApi<SessionKeysResponse>(
      url,
      this.token,
      'GET',
      `/api/sessions/${sessionId}/keys`,
    );
    assert.equal(status, 200);
    if (body.roster && body.roster.version > this.rosterVersion)
      this.rosterVersion = await applyRoster(this.registry, body.roster, {
        host: this.host,
        appliedVersion: this.rosterVersion,
      });
    for (const w of body.wrapped)
      this.ring.add(
        await unwrapSessionKey(this.identity, w, {
          registry: this.registry,
          expectedWrapper: this.host.deviceId,
        }),
      );
    return body.wrapped.length;
  }

  seal(sessionId: string, inputId: string, payload: InputPayload): Promise<SealedEnvelope> {
    return sealEnvelope({
      identity: this.identity,
      sessionKey: this.ring.current(sessionId)!,
      kind: 'input',
      id: inputId,
      counter: this.own.next(sessionId),
      plaintext: encoder.encode(JSON.stringify(payload)),
    });
  }

  /** The terminal output of every sealed event the client received, opened in order. */
  async terminalText(client: ProtocolClient, sessionId: string): Promise<string> {
    let text = '';
    const guard = new CounterGuard();
    for (const e of client.skipped) {
      const sealed = (e.data as { sealed?: SealedEnvelope }).sealed;
      if (!sealed || e.type !== 'terminal.output') continue;
      const opened = await openEnvelope(
        sealed,
        { session: sessionId, kind: 'event', id: sealed.id, author: this.host.deviceId },
        { registry: this.registry, keyRing: this.ring, counters: guard },
      );
      text += (JSON.parse(decoder.decode(opened.plaintext)) as { data: string }).data;
    }
    return text;
  }
}

export async function sealedRelay(
  t: TestContext,
  options: { runners?: RunnerFactory[]; session?: { kind: string; config: object } } = {},
) {
  const relayDir = tempDataDir('baton-relay-');
  const logs: string[] = [];
  const relay = await startTestServer({
    relay: true,
    dataDir: relayDir.dir,
    logLevel: 'debug',
    logSink: (line) => logs.push(line),
  });
  const hostDir = tempDataDir('baton-host-');
  const ownerCode = await ownerPairingCode(relay);
  let hostId: string | undefined;
  let online = 0;
  const start = (code?: string) =>
    startHost({
      relay: relay.url,
      dataDir: hostDir.dir,
      ...(code !== undefined ? { code } : {}),
      name: 'laptop',
      logLevel: 'silent',
      ...(options.runners ? { runners: options.runners } : {}),
      onOnline: (id) => {
        hostId = id;
        online++;
      },
    });
  let host = await start(ownerCode);
  const clients: ProtocolClient[] = [];
  t.after(async () => {
    for (const c of clients) c.ws.close();
    await host.close();
    await relay.close();
    relayDir.remove();
    hostDir.remove();
  });
  await waitUntil(() => hostId, 'the relay welcomes the host');
  const created = await callApi<{ session: SessionInfo }>(
    relay.url,
    relay.ownerToken,
    'POST',
    '/api/sessions',
    options.session
      ? { kind: options.session.kind, config: { ...options.session.config, host: 'laptop' } }
      : { kind: 'terminal', config: { ...BASH_TERMINAL, host: 'laptop' } },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const sessionId = created.body.session.id;
  assert.deepEqual(created.body.session.sealed?.hostId, hostId, 'the session is sealed');

  /** Pairs a device by link: redeem the code, introduce its keys, get the session key. */
  const pairDevice = async (name: string): Promise<Device> => {
    const { link } = await pairDeviceWithHost({ relay: relay.url, dataDir: hostDir.dir });
    const fromLink = decodePairingFragment(new URL(link).hash);
    const redeemed = await callApi(relay.url, '', 'POST', '/api/pairings/redeem', {
      code: fromLink.code,
      deviceName: name,
    });
    assert.equal(redeemed.status, 201, JSON.stringify(redeemed.body));
    const { deviceId, deviceToken } = PairingRedeemed.parse(redeemed.body);
    const identity = await generateDeviceIdentity(deviceId);
    const introduced = await callApi(
      relay.url,
      deviceToken,
      'POST',
      `/api/hosts/${fromLink.host.deviceId}/introductions`,
      { introduction: await createIntroduction(identity, fromLink) },
    );
    assert.equal(introduced.status, 202, JSON.stringify(introduced.body));
    const device = new Device(identity, deviceToken, fromLink.host);
    await waitUntil(
      async () => (await device.fetchKeys(relay.url, sessionId)) > 0,
      `${name} gets the session key`,
    );
    return device;
  };
  const connect = async (token: string) => {
    const c = await ProtocolClient.connect(relay.wsUrl, token, 'tab');
    clients.push(c);
    return c;
  };
  /** Stops the host and starts it again on its data directory (its keys and counters). */
  const restartHost = async () => {
    await host.close();
    const before = online;
    host = await start();
    await waitUntil(() => online > before, 'the restarted host is welcomed');
  };
  return { relay, relayDir, logs, sessionId, hostId: hostId!, pairDevice, connect, restartHost };
}
