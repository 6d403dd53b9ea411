import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputPayload } from '@baton/protocol';
import {
  AuthorCounter,
  generateDeviceIdentity,
  sealEnvelope,
  type DeviceIdentity,
  type DeviceRegistry,
  type KeyRing,
} from '@baton/seal';
import type { InputEvent } from '../runners/runner.js';
import { tempDataDir } from '../testing/test-server.js';
import { HostIdentity } from './host-identity.js';
import { HostSealing } from './host-sealing.js';

const SESSION = 's_aaaaaaaaaaaaaaaaaaaa';
const encoder = new TextEncoder();

// One module's unit test, with the host's real sealing: the relay in between is played by
// handing `openInput` the events a relay would have stored, including ones an honest relay
// would not (a stolen device's keys with a relay that stores what they seal).

/** A host with one session and one device registered, the device holding epoch 1's key. */
async function hostWithDevice(t: { after: (fn: () => void) => void }) {
  const data = tempDataDir('baton-host-sealing-');
  t.after(() => data.remove());
  const sealing = await HostSealing.load(data.dir, await HostIdentity.load(data.dir));
  await sealing.bind('d_host');
  await sealing.ensureSession(SESSION);
  const device = await generateDeviceIdentity('d_laptop');
  // Registered as an accepted introduction would register it (the pairing is tested elsewhere).
  const inner = sealing as unknown as { registry: DeviceRegistry; ring: KeyRing };
  inner.registry.add(device.publicKeys);
  const epoch1 = inner.ring.current(SESSION)!;
  let seq = 0;
  const input = async (who: DeviceIdentity, counter: number, data: string): Promise<InputEvent> => {
    const inputId = `in-${++seq}`;
    const payload: InputPayload = { kind: 'terminal', data };
    const sealed = await sealEnvelope({
      identity: who,
      sessionKey: epoch1,
      kind: 'input',
      id: inputId,
      counter,
      plaintext: encoder.encode(JSON.stringify(payload)),
    });
    return {
      seq,
      ts: seq,
      type: 'input',
      data: { inputId, deviceId: who.deviceId, payload: { kind: 'terminal', sealed } },
    } as unknown as InputEvent;
  };
  return { sealing, device, input };
}

test('after a revocation the host runs nothing more of the device, in any lane or below its cut-off', async (t) => {
  const { sealing, device, input } = await hostWithDevice(t);
  let now = 1_780_000_000_000;
  const window = new AuthorCounter({}, { lane: 5, now: () => now });
  const typed = await sealing.openInput(SESSION, await input(device, window.next(SESSION), 'ls\r'));
  assert.deepEqual(typed.data.payload, { kind: 'terminal', data: 'ls\r' });
  now += 60_000;
  await sealing.openInput(SESSION, await input(device, window.next(SESSION), 'pwd\r'));

  assert.ok(await sealing.revoke(device.deviceId), 'the device is revoked and the keys rotate');
  // What its keys could still seal under the epoch they hold, below its cut-off: a counter in
  // the unlaned sequence it never used, and one in a lane it never used from a minute before.
  now -= 30_000;
  const quietLane = new AuthorCounter({}, { lane: 9, now: () => now }).next(SESSION);
  for (const counter of [1, quietLane]) {
    await assert.rejects(
      sealing.openInput(SESSION, await input(device, counter, 'rm -rf ~\r')),
      /was revoked/,
      `counter ${counter} is refused`,
    );
  }
});

test('two windows of one device: inputs interleaved from two lanes open; a replay in a lane does not', async (t) => {
  const { sealing, device, input } = await hostWithDevice(t);
  let now = 1_780_000_000_000;
  const a = new AuthorCounter({}, { lane: 1, now: () => now });
  const b = new AuthorCounter({}, { lane: 2, now: () => now });
  const a1 = a.next(SESSION);
  now += 10;
  const b1 = b.next(SESSION);
  const a2 = a.next(SESSION);
  for (const counter of [b1, a1, a2])
    await sealing.openInput(SESSION, await input(device, counter, `echo ${counter}\r`));
  await assert.rejects(
    sealing.openInput(SESSION, await input(device, a1, 'echo again\r')),
    /replayed/,
  );
});

test('a revocation landing while an input is being opened refuses it, and a resuming runner reads none of it after', async (t) => {
  const { sealing, device, input } = await hostWithDevice(t);
  const window = new AuthorCounter({}, { lane: 3 });
  const before = await input(device, window.next(SESSION), 'echo before\r');
  await sealing.openInput(SESSION, before);
  // Opening awaits WebCrypto; the revocation is recorded at once, before the opening ends.
  const during = await input(device, window.next(SESSION), 'echo during\r');
  const opening = sealing.openInput(SESSION, during);
  const revoked = sealing.revoke(device.deviceId, () => before.seq);
  await assert.rejects(opening, /was revoked/);
  assert.ok(await revoked);
  // A runner resuming from the log (an agent after a restart) reads the input run before the
  // revocation, and none stored after it: not even one whose counter is below the device's
  // cut-off (counter 1, of the sequence the device never used), which history alone would take.
  const late = await input(device, 1, 'echo late\r');
  const read = await sealing.openStored(SESSION, [before, during, late] as never);
  assert.deepEqual(
    read.map((e) => (e.data as { payload: InputPayload }).payload),
    [{ kind: 'terminal', data: 'echo before\r' }],
  );
});
