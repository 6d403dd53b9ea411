import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LogEvent, SessionInfo } from '@baton/protocol';
import { startHost } from '../host/start-host.js';
import { SqliteStore } from '../storage/sqlite-store.js';
import type { Store } from '../storage/store.js';
import { callApi } from '../testing/http-api.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { BASH_TERMINAL, startTestServer, tempDataDir, waitUntil } from '../testing/test-server.js';

/**
 * A store that dies the way a killed relay does, right after one commit: the commit holding
 * `marker` is written, and from then on nothing more is (every write rejects) and that commit is
 * never answered, so nothing the relay would do after it (record a number, acknowledge the
 * host) happens. Reads and `close` still work, so the server can be shut down and a new one
 * opened on the same file.
 */
function killedAfterCommitOf(inner: Store, marker: string): { store: Store; killed(): boolean } {
  let killed = false;
  const dead = () => Promise.reject(new Error('the relay was killed'));
  const writes = new Set<PropertyKey>([
    'setMeta',
    'commit',
    'putSnapshot',
    'compact',
    'insertSession',
    'deleteSession',
    'appendAudit',
    'touchDevice',
    'setSessionEpoch',
  ]);
  const commit: Store['commit'] = async (batch) => {
    if (killed) return dead();
    const outcome = await inner.commit(batch);
    if (batch.some((entry) => entry.events.some((e) => e.dataJson.includes(marker)))) {
      killed = true;
      return new Promise(() => {});
    }
    return outcome;
  };
  const store = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'commit') return commit;
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const bound = (value as (...a: unknown[]) => unknown).bind(target);
      return writes.has(prop) ? (...a: unknown[]) => (killed ? dead() : bound(...a)) : bound;
    },
  });
  return { store, killed: () => killed };
}

function terminalText(events: LogEvent[]): string {
  return events.map((e) => (e.type === 'terminal.output' ? e.data.data : '')).join('');
}

test('a relay killed right after committing host output stores it once when the host sends it again', async (t) => {
  const data = tempDataDir('baton-relay-');
  const hostDir = tempDataDir('baton-host-');
  const file = join(data.dir, 'baton.db');
  const dying = killedAfterCommitOf(new SqliteStore(file), 'MARK-42');
  let relay = await startTestServer({ relay: true, dataDir: data.dir, store: dying.store });
  const port = relay.port;
  const ownerToken = relay.ownerToken;
  const pairing = await callApi<{ code: string }>(relay.url, ownerToken, 'POST', '/api/pairings', {
    role: 'owner',
  });
  let online = 0;
  const host = await startHost({
    relay: relay.url,
    dataDir: hostDir.dir,
    code: pairing.body.code,
    name: 'laptop',
    logLevel: 'silent',
    // It reads the stored output: a plaintext host (sealed sessions: relay-sealed.test.ts).
    plaintext: true,
    onOnline: () => online++,
  });
  const clients: ProtocolClient[] = [];
  t.after(async () => {
    for (const c of clients) c.ws.close();
    await host.close();
    await relay.close();
    data.remove();
    hostDir.remove();
  });
  await waitUntil(() => online > 0, 'the relay welcomes the host');

  const created = await callApi<{ session: SessionInfo }>(
    relay.url,
    ownerToken,
    'POST',
    '/api/sessions',
    { kind: 'terminal', config: { ...BASH_TERMINAL, host: 'laptop' } },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.session.id;
  const before = await ProtocolClient.connect(relay.wsUrl, ownerToken, 'tab');
  clients.push(before);
  await before.subscribe(id);
  // The typed line shows `$((40+2))`; only the shell's output holds the marker.
  await before.submit(id, 'k-1', { kind: 'terminal', data: 'echo MARK-$((40+2))\r' });
  await waitUntil(() => dying.killed(), 'the commit of the marked output');

  // The relay "dies": its host link drops without the acknowledgement, and it starts again on
  // the same database and port. The host reconnects and sends its unacknowledged output again.
  await relay.close();
  relay = await startTestServer({ relay: true, dataDir: data.dir, port, ownerToken });
  await waitUntil(() => online > 1, 'the host reconnects to the restarted relay', 20_000);
  const after = await ProtocolClient.connect(relay.wsUrl, ownerToken, 'tab');
  clients.push(after);
  await after.subscribe(id, 0);
  await after.submit(id, 'k-2', { kind: 'terminal', data: 'echo DONE-$((2+2))\r' });

  // Every stored event, from the start, as the restarted relay serves them.
  const text = await waitUntil(
    () => {
      const t = terminalText(after.logs.get(id) ?? []);
      return t.includes('DONE-4') && t;
    },
    'the output after the restart is stored',
    20_000,
  );
  assert.equal(text.split('MARK-42').length - 1, 1, `stored output:\n${text}`);
});
