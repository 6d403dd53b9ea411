import type { ClusterHealth } from '../cluster/cluster-node.js';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { DocumentState, LogEvent, SessionControl, SessionInfo } from '@baton/protocol';
import { ProtocolClient, type ProtocolError } from '../testing/protocol-client.js';
import { registerDevice } from '../testing/register-device.js';
import { PgProxy } from '../testing/pg-proxy.js';
import { TEST_PG_URL, tempPgSchema } from '../testing/pg-test-schema.js';
import { spawnServerProcess, type ServerProcess } from '../testing/server-process.js';
import { BASH_TERMINAL, QUIET_TERMINAL, tempDataDir, waitUntil } from '../testing/test-server.js';

type WriteReply =
  | { status: 'committed'; seq: number; document: DocumentState; conflicts: Outcome[] }
  | { status: 'conflict'; document: DocumentState; conflicts: Outcome[] };
type Outcome = { field: string; result: string };
type ControlReply = { control: SessionControl };

/** Short leases and polls, so that failover and lost notifications are seen quickly. */
const LEASE_MS = 1_500;
const POLL_MS = 250;

/**
 * Three `baton serve --cluster` nodes on one PostgreSQL schema, as separate processes on
 * 127.0.0.1, with real WebSocket clients spread over them.
 */
/** The `cluster` part of a node's `GET /api/health`. */
async function clusterHealth(url: string): Promise<ClusterHealth> {
  const res = await fetch(`${url}/api/health`);
  const body = (await res.json()) as { cluster?: ClusterHealth };
  assert.ok(body.cluster, `a node of a cluster says so in its health: ${JSON.stringify(body)}`);
  return body.cluster;
}

async function cluster(
  count: number,
  viaProxy: (i: number) => PgProxy | undefined = () => undefined,
  extraArgs: string[] = [],
) {
  const schema = await tempPgSchema('baton_nodes');
  const token = 'bo_' + randomBytes(32).toString('base64url');
  const dirs = Array.from({ length: count }, () => tempDataDir());
  const nodes: ServerProcess[] = [];
  const clients: ProtocolClient[] = [];
  const start = async (i: number) => {
    const proxy = viaProxy(i);
    const url = proxy ? proxy.urlFor(schema.url) : schema.url;
    const node = await spawnServerProcess(dirs[i]!.dir, 0, [
      ...['--store', url, '--cluster', '--token', token],
      ...['--lease-ms', String(LEASE_MS), '--poll-ms', String(POLL_MS)],
      ...extraArgs,
    ]);
    nodes[i] = node;
    return node;
  };
  for (let i = 0; i < count; i++) await start(i);
  for (const node of nodes) clients.push(await ProtocolClient.connect(node.wsUrl, token));
  return {
    nodes,
    clients,
    token,
    async close() {
      for (const c of clients) c.terminate();
      await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
      for (const d of dirs) d.remove();
      await schema.drop();
    },
  };
}

/**
 * Node 1 creates a session; the client of every node follows it from the start (the third
 * read-only when asked). Returns the session and the three clients, node by node.
 */
async function sessionOnEveryNode(
  c3: Awaited<ReturnType<typeof cluster>>,
  create: { kind: 'terminal'; config: typeof QUIET_TERMINAL } | { kind: 'claude' },
  thirdReadOnly = false,
) {
  const [a, b, c] = c3.clients as [ProtocolClient, ProtocolClient, ProtocolClient];
  const { session } = await a.request<{ session: SessionInfo }>({
    type: 'session.create',
    ...create,
  });
  await a.subscribe(session.id, 0);
  await subscribeWhenKnown(b, session.id);
  await subscribeWhenKnown(c, session.id, thirdReadOnly);
  return { session, a, b, c };
}

/** Subscribes once the node knows the session (another node created it). */
async function subscribeWhenKnown(
  c: ProtocolClient,
  sessionId: string,
  readOnly?: boolean,
): Promise<void> {
  await waitUntil(
    () =>
      c.subscribe(sessionId, 0, readOnly ?? false).then(
        () => true,
        () => false,
      ),
    `session ${sessionId} on every node`,
  );
}

function pgTarget(): { host: string; port: number } {
  const u = new URL(TEST_PG_URL);
  return { host: u.hostname, port: Number(u.port || 5432) };
}

function statusOf(log: readonly LogEvent[] | undefined): string | undefined {
  const last = log?.filter((e) => e.type === 'session.status').at(-1);
  return last?.type === 'session.status' ? last.data.status : undefined;
}

describe('many nodes on one PostgreSQL', () => {
  test('inputs sent on any of three nodes are stored once, in one order every client sees; a node that hears no NOTIFY catches up by polling', async () => {
    // The third node's PostgreSQL connections drop every notification: it learns of commits,
    // sessions and answers only from its poll.
    const deaf = await PgProxy.start(pgTarget(), { dropNotifications: true });
    const c3 = await cluster(3, (i) => (i === 2 ? deaf : undefined));
    try {
      const { session, a, b, c } = await sessionOnEveryNode(c3, {
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });

      const acked = new Map<string, number>();
      await Promise.all(
        [a, b, c].map(async (client, n) => {
          for (let i = 0; i < 15; i++) {
            const id = `${n}-${i}`;
            const payload = { kind: 'terminal' as const, data: id };
            const first = await client.submit(session.id, id, payload, 20_000);
            const again = await client.submit(session.id, id, payload, 20_000);
            assert.deepEqual(again, { seq: first.seq, duplicate: true }, `a retry of ${id}`);
            // The ack comes once this client's own node shows the input (store, ack, fan out).
            await client.waitForSeq(session.id, first.seq);
            acked.set(id, first.seq);
          }
        }),
      );
      // The last input is sent on node 1 alone: node 3 can learn of it only by polling.
      const last = await a.submit(session.id, 'last', { kind: 'terminal', data: 'last' }, 20_000);
      acked.set('last', last.seq);
      // A window that saw it on node 1 moves to node 3 (a load balancer's choice) at once: node 3
      // reads up to its position first instead of resetting it as "ahead of the log".
      const moved = await ProtocolClient.connect(c3.nodes[2]!.wsUrl, c3.token);
      c3.clients.push(moved);
      moved.lastSeq.set(session.id, last.seq);
      moved.logs.set(session.id, []);
      const resumed = await moved.subscribe(session.id, last.seq);
      assert.ok(resumed.headSeq >= last.seq, `node 3 answers from #${resumed.headSeq}`);
      assert.equal(new Set(acked.values()).size, 46, 'forty-six inputs, forty-six positions');
      const head = Math.max(...acked.values());
      assert.equal(head, last.seq);
      await Promise.all([a, b, c].map((x) => x.waitForSeq(session.id, head)));
      assert.deepEqual([a.violations, b.violations, c.violations], [[], [], []]);
      assert.ok(
        !moved.frames.some((f) => f.type === 'snapshot'),
        'the moved window was never reset',
      );

      // A device paired on node 1 is known on node 3 (which hears no NOTIFY) from its next poll.
      const phone = await registerDevice(c3.nodes[0]!, 'phone');
      const onThird = await waitUntil(
        () => ProtocolClient.connect(c3.nodes[2]!.wsUrl, phone).catch(() => undefined),
        'the phone accepted by node 3',
      );
      c3.clients.push(onThird);
      const logs = [a, b, c].map((x) => x.logs.get(session.id)!.slice(0, head));
      assert.deepEqual(logs[1], logs[0], 'node 2 shows the order of node 1');
      assert.deepEqual(logs[2], logs[0], 'node 3 (no NOTIFY) shows the same order');
      logs[0]!.forEach((e, i) => assert.equal(e.seq, i + 1, 'gap-free from 1'));
      const inputs = logs[0]!.flatMap((e) => (e.type === 'input' ? [e.data.inputId] : []));
      assert.deepEqual([...inputs].sort(), [...acked.keys()].sort(), 'each input stored once');
      for (const [id, seq] of acked) {
        const e = logs[0]![seq - 1];
        assert.equal(e?.type === 'input' && e.data.inputId, id, `${id} at its acked seq`);
      }
    } finally {
      await c3.close();
      await deaf.close();
    }
  });

  test('kill -9 of the owner: another node takes the terminal over within the lease, shows its last screen and `exited`, and restarts it', async () => {
    const c3 = await cluster(3);
    try {
      const { session, b, c } = await sessionOnEveryNode(c3, {
        kind: 'terminal',
        config: BASH_TERMINAL,
      });
      // Typed on node 2, run by the shell on node 1 (the owner); its output reaches every node.
      await b.submit(
        session.id,
        'echo',
        { kind: 'terminal', data: 'echo mark-$((6*7))\r' },
        20_000,
      );
      const printed = (x: ProtocolClient) =>
        x.logs
          .get(session.id)
          ?.some((e) => e.type === 'terminal.output' && e.data.data.includes('mark-42'));
      await waitUntil(() => printed(b) && printed(c), 'the output on nodes 2 and 3');

      const killedAt = Date.now();
      await c3.nodes[0]!.kill9();
      await waitUntil(
        () => statusOf(b.logs.get(session.id)) === 'exited',
        'the takeover marks the shell exited',
        LEASE_MS * 10,
      );
      const failoverMs = Date.now() - killedAt;
      await waitUntil(() => statusOf(c.logs.get(session.id)) === 'exited', 'node 3 sees it too');
      const exited = b.logs
        .get(session.id)!
        .filter((e) => e.type === 'session.status')
        .at(-1);
      assert.match(
        exited?.type === 'session.status' ? (exited.data.reason ?? '') : '',
        /another node took the session over/,
      );
      const head = b.lastSeq.get(session.id)!;
      await c.waitForSeq(session.id, head);
      assert.deepEqual([b.violations, c.violations], [[], []]);
      assert.deepEqual(
        c.logs.get(session.id)!.slice(0, head),
        b.logs.get(session.id)!.slice(0, head),
        'no gap, no duplicate: one log on both surviving nodes',
      );
      // A fresh window gets the last screen: the output is in what it is sent.
      const late = await ProtocolClient.connect(c3.nodes[2]!.wsUrl, c3.token);
      c3.clients.push(late);
      await late.subscribe(session.id, 0);
      await waitUntil(() => printed(late), 'the last screen for a new window');

      // Restart from either surviving node (the new owner, or forwarded to it).
      await b.request({ type: 'session.restart', sessionId: session.id }, 20_000);
      await waitUntil(
        () => statusOf(c.logs.get(session.id)) === 'running',
        'the restarted shell runs',
      );
      await c.submit(
        session.id,
        'after',
        { kind: 'terminal', data: 'echo again-$((5*5))\r' },
        20_000,
      );
      await waitUntil(
        () =>
          b.logs
            .get(session.id)
            ?.some((e) => e.type === 'terminal.output' && e.data.data.includes('again-25')),
        'the new shell answers on every node',
      );
      process.stdout.write(`# failover took ${failoverMs} ms (lease ${LEASE_MS} ms)\n`);
    } finally {
      await c3.close();
    }
  });

  test('kill -9 of the owner mid-turn: the agent resumes on the new owner with the messages no turn answered', async () => {
    // Agents whose turns stay open (testing/held-turn-agent.ts) behind the real conversation runner.
    const c3 = await cluster(3, () => undefined, ['--agent', 'held']);
    try {
      const { session, b, c } = await sessionOnEveryNode(c3, { kind: 'claude' });
      const message = (text: string) => ({ kind: 'message' as const, text });
      const delivered = (x: ProtocolClient, inputId: string) =>
        x.logs
          .get(session.id)
          ?.some((e) => e.type === 'input.delivered' && e.data.inputId === inputId);
      await b.submit(session.id, 'm1', message('first'), 20_000);
      await waitUntil(() => delivered(b, 'm1'), 'the owner’s turn takes m1');
      // Queued behind the open turn, sent from another node still.
      await c.submit(session.id, 'm2', message('second'), 20_000);

      await c3.nodes[0]!.kill9();
      await waitUntil(() => delivered(b, 'm2'), 'the new owner runs m2', LEASE_MS * 10);
      const log = b.logs.get(session.id)!;
      const ended = log.find((e) => e.type === 'agent.turn.ended');
      assert.equal(
        ended?.type === 'agent.turn.ended' && ended.data.outcome,
        'failed',
        'the turn the dead node ran ends failed',
      );
      const head = b.lastSeq.get(session.id)!;
      await c.waitForSeq(session.id, head);
      assert.deepEqual([b.violations, c.violations], [[], []]);
      assert.deepEqual(c.logs.get(session.id)!.slice(0, head), log.slice(0, head));
      const inputs = log.flatMap((e) => (e.type === 'input' ? [e.data.inputId] : []));
      assert.deepEqual(inputs, ['m1', 'm2'], 'each message stored once');

      // Withdrawing and interrupting work from both surviving nodes (one of them forwards).
      await b.submit(session.id, 'm3', message('third'), 20_000);
      await b.request({ type: 'input.withdraw', sessionId: session.id, inputId: 'm3' }, 20_000);
      await c.request({ type: 'interrupt', sessionId: session.id }, 20_000);
      const final = (x: ProtocolClient) => {
        const events = x.logs.get(session.id) ?? [];
        return (
          events.some((e) => e.type === 'input.withdrawn' && e.data.inputId === 'm3') &&
          events.some((e) => e.type === 'agent.turn.ended' && e.data.outcome === 'interrupted')
        );
      };
      await waitUntil(() => final(b) && final(c), 'the withdrawal and the stop on both nodes');
      assert.equal(delivered(b, 'm3'), false, 'a withdrawn message never runs');
    } finally {
      await c3.close();
    }
  });

  test('shared documents and control work from a node that does not own the session, with the replies and errors of one node, and every node hears the change', async () => {
    const c3 = await cluster(3);
    try {
      const { session, a, b, c } = await sessionOnEveryNode(c3, {
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      const write = (
        x: ProtocolClient,
        name: string,
        base: number,
        patch: object,
        strategy?: string,
      ) =>
        x.request<WriteReply>(
          {
            type: 'doc.write',
            sessionId: session.id,
            name,
            baseVersion: base,
            patch,
            ...(strategy !== undefined ? { strategy } : {}),
          },
          20_000,
        );
      const docChanges = (x: ProtocolClient, name: string) =>
        (x.logs.get(session.id) ?? []).flatMap((e) =>
          e.type === 'doc.changed' && e.data.name === name ? [e.data.version] : [],
        );

      // Node 3 reads the (empty) document first: what it read must not outlive the owner's writes.
      const none = await c.request<{ document: DocumentState | null }>({
        type: 'doc.get',
        sessionId: session.id,
        name: 'plan',
      });
      assert.equal(none.document, null);
      // user_choice: the owner's node writes first; node 2's write from the same base is handed
      // back with the document as it is now, as one node would answer it.
      const first = await write(a, 'plan', 0, { step: 'a' }, 'user_choice');
      assert.equal(first.status, 'committed');
      const handedBack = await write(b, 'plan', 0, { step: 'b' });
      assert.equal(handedBack.status, 'conflict');
      assert.equal(handedBack.document.version, 1);
      assert.deepEqual(handedBack.document.fields, { step: 'a' });
      assert.equal(handedBack.conflicts[0]?.field, 'step');
      // Written again on node 2 from the version it was handed: committed, with its seq.
      const second = await write(b, 'plan', 1, { step: 'b' });
      assert.equal(second.status, 'committed');
      assert.equal(second.status === 'committed' && second.document.version, 2);
      // The reply comes once node 2's own clients can see the change (store, reply, fan out).
      assert.deepEqual(docChanges(b, 'plan'), [1, 2]);
      await waitUntil(
        () => [a, c].every((x) => docChanges(x, 'plan').length === 2),
        'doc.changed on every node',
      );
      const onThird = await c.request<{ document: DocumentState | null }>({
        type: 'doc.get',
        sessionId: session.id,
        name: 'plan',
      });
      assert.equal(onThird.document?.version, 2, 'node 3 reads the owner’s latest version');
      // An error is the owner's, given on the asking node: a base version from the future.
      const future = await write(c, 'plan', 9, { step: 'c' }).then(
        () => assert.fail('a future base version was accepted'),
        (e: unknown) => e as ProtocolError,
      );
      assert.equal(future.code, 'stale_version');

      // manual: two writes from one base on nodes 2 and 3 keep both values; node 3 resolves.
      await write(b, 'notes', 0, { title: 'b' }, 'manual');
      const stored = await write(c, 'notes', 0, { title: 'c' });
      assert.equal(stored.status, 'committed');
      assert.equal(stored.conflicts[0]?.result, 'stored');
      const resolved = await c.request<{ seq: number; document: DocumentState }>(
        {
          type: 'doc.resolve',
          sessionId: session.id,
          name: 'notes',
          field: 'title',
          value: 'c',
          baseVersion: stored.document.version,
        },
        20_000,
      );
      assert.deepEqual(resolved.document.conflicts, {});
      await waitUntil(
        () => [a, b].every((x) => docChanges(x, 'notes').length === 3),
        'the resolution on every node',
      );

      // Control: a handoff link made on node 1 is redeemed on node 2 (a takeover the owner
      // stores); an editor on node 3 that does not control may not release it (the owner node
      // checks, node 3 answers 403); an owner reclaims it on node 3 and releases it on node 2.
      const post = (node: ServerProcess, token: string, path: string, body: object) =>
        fetch(`${node.url}/api/sessions/${session.id}/${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as ControlReply }));
      // Devices paired on node 1; the other nodes know them from their next poll (401 until then).
      const desk = await registerDevice(c3.nodes[0]!, 'desk', 'owner');
      const phone = await registerDevice(c3.nodes[0]!, 'phone', 'editor');
      const other = await registerDevice(c3.nodes[0]!, 'other', 'editor');
      const known = (node: ServerProcess, token: string, path: string, body: object) =>
        waitUntil(
          () => post(node, token, path, body).then((r) => (r.status === 401 ? undefined : r)),
          'the node knows the device',
        );
      const made = await post(c3.nodes[0]!, desk, 'handoff', { mode: 'takeover' });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const link = made.body as unknown as { token: string };
      const taken = await known(c3.nodes[1]!, phone, 'resume', {
        handoffToken: link.token,
        deviceName: 'phone',
      });
      assert.equal(taken.status, 200, JSON.stringify(taken.body));
      assert.equal(
        taken.body.control.state === 'controlled' && taken.body.control.controller.deviceName,
        'phone',
      );
      const refused = await known(c3.nodes[2]!, other, 'control', { action: 'release' });
      assert.equal(refused.status, 403);
      assert.match(JSON.stringify(refused.body), /only the controller or an owner/);
      // The owner's error comes whole, with the role that would have been needed.
      const notOwner = await post(c3.nodes[2]!, other, 'control', { action: 'reclaim' });
      assert.equal(notOwner.status, 403);
      assert.equal(
        (notOwner.body as unknown as { error: { requiredRole?: string } }).error.requiredRole,
        'owner',
      );
      const reclaimed = await known(c3.nodes[2]!, desk, 'control', { action: 'reclaim' });
      assert.equal(reclaimed.status, 200, JSON.stringify(reclaimed.body));
      assert.equal(
        reclaimed.body.control.state === 'controlled' &&
          reclaimed.body.control.controller.deviceName,
        'desk',
      );
      const released = await known(c3.nodes[1]!, desk, 'control', { action: 'release' });
      assert.equal(released.status, 200, JSON.stringify(released.body));
      assert.deepEqual(released.body.control, { state: 'open' });
      const actions = (x: ProtocolClient) =>
        (x.logs.get(session.id) ?? []).flatMap((e) =>
          e.type === 'control.changed' ? [e.data.action] : [],
        );
      await waitUntil(
        () => [a, b, c].every((x) => actions(x).join() === 'takeover,reclaim,release'),
        'control.changed on every node',
      );
      assert.deepEqual([a.violations, b.violations, c.violations], [[], [], []]);
    } finally {
      await c3.close();
    }
  });

  test('presence: every node lists the attachments through all nodes; those of a node killed with kill -9 are gone within the lease and one poll', async () => {
    const c3 = await cluster(3);
    try {
      const { session, a, b, c } = await sessionOnEveryNode(
        c3,
        { kind: 'terminal', config: QUIET_TERMINAL },
        true,
      );
      const ids = (x: ProtocolClient) =>
        (x.presence.get(session.id) ?? []).map((p) => p.connectionId).sort();
      const everyone = [a, b, c].map((x) => x.connectionId).sort();
      await waitUntil(
        () =>
          [a, b, c].every(
            (x) => ids(x).join() === everyone.join() && x.presenceCount.get(session.id) === 3,
          ),
        'each node lists the three attachments',
      );
      // What another node shows of an attachment is what its own node shows: node 3's is read-only.
      const third = b.presence.get(session.id)!.find((p) => p.connectionId === c.connectionId);
      assert.equal(third?.readOnly, true);
      // The sessions list of node 3 counts them all too.
      const listed = (await fetch(`${c3.nodes[2]!.url}/api/sessions`, {
        headers: { authorization: `Bearer ${c3.token}` },
      }).then((r) => r.json())) as { sessions: SessionInfo[] };
      const entry = listed.sessions.find((s) => s.id === session.id);
      assert.equal(entry?.attachedCount, 3);
      assert.equal(entry?.attached.length, 3);

      // Leaving on node 2 is seen on node 3 by its pointer (or the next poll).
      await b.request({ type: 'unsubscribe', sessionId: session.id });
      await waitUntil(
        () => !ids(c).includes(b.connectionId) && c.presenceCount.get(session.id) === 2,
        'node 3 drops the attachment that left node 2',
      );

      const killedAt = Date.now();
      await c3.nodes[0]!.kill9();
      await waitUntil(
        () => ids(c).join() === c.connectionId && c.presenceCount.get(session.id) === 1,
        'node 3 drops the attachment of the dead node',
        (LEASE_MS + POLL_MS) * 4,
      );
      process.stdout.write(
        `# a dead node's attachments were gone after ${Date.now() - killedAt} ms (bound: lease ${LEASE_MS} ms + poll ${POLL_MS} ms)\n`,
      );
      assert.deepEqual(c.violations, []);
    } finally {
      await c3.close();
    }
  });

  test('a terminal window on a node that does not own the session sets the size and is the responder when it typed last', async () => {
    const c3 = await cluster(2);
    try {
      const [a, b] = c3.clients as [ProtocolClient, ProtocolClient];
      const { session } = await a.request<{ session: SessionInfo }>({
        type: 'session.create',
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await a.subscribe(session.id, 0);
      await subscribeWhenKnown(b, session.id);
      // The owner weighs node 2's window once it sees it in node 2's presence row.
      await waitUntil(
        () => (a.presence.get(session.id) ?? []).some((p) => p.connectionId === b.connectionId),
        'node 1 lists the window of node 2',
      );
      const resized = (x: ProtocolClient, cols: number) =>
        (x.logs.get(session.id) ?? []).some(
          (e) => e.type === 'terminal.resized' && e.data.cols === cols && e.data.rows === 33,
        );
      await b.request(
        { type: 'resize', sessionId: session.id, cols: 101, rows: 33, fitToMe: true },
        20_000,
      );
      await waitUntil(() => resized(a, 101) && resized(b, 101), 'the PTY has node 2’s size');

      // Node 2's window typed last: its emulator's answers are typed, node 1's are dropped.
      await b.submit(session.id, 'typed', { kind: 'terminal', data: 'x' }, 20_000);
      const report = (data: string) => ({ kind: 'terminal' as const, data, report: true as const });
      await b.submit(session.id, 'answer-b', report('\x1b[1;1R'), 20_000);
      await a.submit(session.id, 'answer-a', report('\x1b[1;1R'), 20_000);
      const ack = (x: ProtocolClient, inputId: string) =>
        x.frames.find((f) => f.type === 'ack' && f.inputId === inputId);
      const ackB = ack(b, 'answer-b');
      const ackA = ack(a, 'answer-a');
      assert.equal(ackB?.type === 'ack' && ackB.ignored, undefined, 'node 2’s answer is typed');
      assert.equal(ackA?.type === 'ack' && ackA.ignored, 'not_responder');

      // Node 2's window leaves: the owner gives its size up (node 1's window is the only one).
      await a.request({ type: 'resize', sessionId: session.id, cols: 90, rows: 33 }, 20_000);
      assert.equal(resized(a, 90), false, 'node 2’s Fit to me holds while it is attached');
      await b.request({ type: 'unsubscribe', sessionId: session.id });
      await waitUntil(() => resized(a, 90), 'node 1’s size once node 2’s window left');
      assert.deepEqual([a.violations, b.violations], [[], []]);
    } finally {
      await c3.close();
    }
  });

  test('a node cut from PostgreSQL loses its sessions to another node and appends nothing after; healed, it follows', async () => {
    const cut = await PgProxy.start(pgTarget());
    const c3 = await cluster(3, (i) => (i === 0 ? cut : undefined));
    try {
      const { session, a, b, c } = await sessionOnEveryNode(c3, {
        kind: 'terminal',
        config: QUIET_TERMINAL,
      });
      await a.submit(session.id, 'before', { kind: 'terminal', data: 'x' }, 20_000);
      // Health says which node runs it: one owner among the three, each under its own id.
      const before = await Promise.all(c3.nodes.map((n) => clusterHealth(n.url)));
      assert.equal(new Set(before.map((h) => h.nodeId)).size, 3);
      assert.deepEqual(
        before.map((h) => h.ownedSessions),
        [1, 0, 0],
        'node 1 created and runs the session',
      );

      cut.sever();
      await waitUntil(
        () => statusOf(b.logs.get(session.id)) === 'exited',
        'another node took the session over',
        LEASE_MS * 10,
      );
      // The cut node's health shows its leases lapsed; another node runs the session.
      const cutHealth = await clusterHealth(c3.nodes[0]!.url);
      assert.ok(cutHealth.renewedAgoMs > LEASE_MS, JSON.stringify(cutHealth));
      // Once it has lost the session it holds no lease to renew, and health must still show it
      // cut off: renewedAgoMs goes on growing instead of starting over with every renewal tick.
      await waitUntil(
        async () => {
          const h = await clusterHealth(c3.nodes[0]!.url);
          return h.ownedSessions === 0 && h.renewedAgoMs > 3 * LEASE_MS;
        },
        'the cut node to own nothing and still show its leases lapsed',
        LEASE_MS * 10,
      );
      const others = await Promise.all(c3.nodes.slice(1).map((n) => clusterHealth(n.url)));
      assert.equal(others[0]!.ownedSessions + others[1]!.ownedSessions, 1);
      // Input through the cut node cannot be stored: it is refused, never acknowledged.
      await assert.rejects(
        a.submit(session.id, 'while-cut', { kind: 'terminal', data: 'y' }, 3_000),
      );

      cut.heal();
      const head = b.lastSeq.get(session.id)!;
      await a.waitForSeq(session.id, head, 20_000);
      await c.waitForSeq(session.id, head);
      assert.deepEqual([a.violations, b.violations, c.violations], [[], [], []]);
      const logs = [a, b, c].map((x) => x.logs.get(session.id)!.slice(0, head));
      assert.deepEqual(logs[0], logs[1], 'the healed node shows the one log');
      assert.deepEqual(logs[2], logs[1]);
      const ids = logs[1]!.flatMap((e) => (e.type === 'input' ? [e.data.inputId] : []));
      assert.ok(!ids.includes('while-cut') || ids.filter((i) => i === 'while-cut').length === 1);
      // The healed node forwards to the new owner like any other.
      await a
        .submit(session.id, 'after', { kind: 'terminal', data: 'z' }, 20_000)
        .catch((err: unknown) => assert.match(String(err), /session_not_running/));
    } finally {
      await c3.close();
      await cut.close();
    }
  });
});
