import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import {
  BatonClient,
  VERIFY_FAILED,
  pairWithHost,
  type BatonError,
  type WebSocketConstructor,
} from '@baton/client';
import { FileSealingStore } from '@baton/client/node';
import type { LogEvent, SessionInfo } from '@baton/protocol';
import { pairDeviceWithHost } from '@baton/server';
import {
  BASH_TERMINAL,
  startTestServer,
  startWelcomedHost,
  waitForSessionKey,
  waitUntil,
} from '@baton/server/testing';

/**
 * Two windows of one device typing into one sealed session at once: two `BatonClient`s, each
 * with its own store over the device's one key file (as two `baton attach` processes, or two
 * tabs of the web app over its IndexedDB), through a real relay to a real host running bash.
 * Each window loaded the device's counters before either typed, so they count from the same
 * place; every input of both must still reach the shell, and both windows must read all of it.
 */

const outputOf = (events: readonly LogEvent[]) =>
  events.flatMap((e) => (e.type === 'terminal.output' ? [e.data.data] : [])).join('');

/** A device's key file as one process sees it; counts the loads of its counters. */
class WindowStore extends FileSealingStore {
  loads = 0;
  override counters(): Promise<Record<string, number>> {
    this.loads++;
    return super.counters();
  }
}

test('two windows of one device type into one sealed session at once and nothing is refused', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-windows-'));
  const relay = await startTestServer({ relay: true });
  const { hostId, dataDir, close } = await startWelcomedHost(relay, { name: 'laptop' });
  const clients: BatonClient[] = [];
  t.after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await close();
    await relay.stop();
    rmSync(home, { recursive: true, force: true });
  });
  const created = await fetch(`${relay.url}/api/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'terminal', config: { ...BASH_TERMINAL, host: 'laptop' } }),
  });
  const session = ((await created.json()) as { session: SessionInfo }).session;
  assert.equal(session.sealed?.hostId, hostId, 'the session is sealed');

  const keyFile = join(home, 'device-keys.json');
  const { link } = await pairDeviceWithHost({ relay: relay.url, dataDir, role: 'editor' });
  const device = await pairWithHost(link, { store: new FileSealingStore(keyFile), name: 'laptop' });
  await waitForSessionKey(relay.url, device.token, session.id);

  const errors: BatonError[] = [];
  const openWindow = () => {
    const store = new WindowStore(keyFile);
    const client = new BatonClient({
      url: relay.wsUrl,
      token: device.token,
      mode: 'cli',
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      sealing: { store },
    });
    clients.push(client);
    client.on('error', (e) => errors.push(e));
    client.connect();
    return { store, client, view: client.subscribe(session.id) };
  };
  const a = openWindow();
  const b = openWindow();
  await waitUntil(
    () => a.store.loads > 0 && b.store.loads > 0,
    'both windows loaded the device counters before either typed',
    15_000,
  );

  const type = async (w: typeof a, line: string) => {
    const sent = w.client.send(session.id, { kind: 'terminal', data: line });
    await sent.confirmed;
  };
  // Window a types more than b, then b, then both with no wait between them.
  await type(a, 'echo A-$((1+1))\r');
  await type(a, 'echo A-$((2+2))\r');
  await type(a, 'echo A-$((3+3))\r');
  await type(b, 'echo B-$((10+1))\r');
  await Promise.all([
    type(a, 'echo A-$((4+4))\r'),
    type(b, 'echo B-$((10+2))\r'),
    type(b, 'echo B-$((10+3))\r'),
  ]);
  const expected = ['A-2', 'A-4', 'A-6', 'A-8', 'B-11', 'B-12', 'B-13'];
  for (const w of [a, b]) {
    const output = () => outputOf(w.view.getSnapshot().events);
    await waitUntil(
      () => expected.every((text) => output().includes(text)),
      'a window reads the output of every input of both windows',
      20_000,
    ).catch((error: Error) => {
      const refused = errors.map((e) => e.message).join(' | ');
      throw new Error(`${error.message}: it read ${JSON.stringify(output())}; errors: ${refused}`);
    });
  }
  // Each window shows all seven inputs opened, none refused.
  for (const w of [a, b]) {
    const inputs = w.view.getSnapshot().events.filter((e) => e.type === 'input');
    assert.equal(inputs.length, 7);
  }
  assert.deepEqual(
    errors.filter((e) => e.code === VERIFY_FAILED).map((e) => e.message),
    [],
  );
});
