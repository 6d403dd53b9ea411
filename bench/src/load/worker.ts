import { nowUs, sleep } from '../clock.js';
import { serveIpc, signalReady } from '../ipc.js';
import { BatonConnection } from '../drivers/baton-connection.js';
import {
  protocolOf,
  type ClientSpec,
  type Connection,
  type SystemName,
} from '../drivers/connection.js';
import { SocketIoConnection } from '../drivers/socketio-connection.js';
import { WsConnection } from '../drivers/ws-connection.js';
import { makeText, parseText } from './message-text.js';
import type {
  CaughtUpReport,
  CollectReport,
  OpenCommand,
  RunCommand,
  TrackCommand,
} from './worker-commands.js';

/**
 * A load generator process. It owns a slice of the simulated devices, submits on behalf of the
 * ones chosen as submitters, and records for every message the latest time any of its devices
 * received it and how many did. The coordinator merges these across load generators.
 */

interface Client {
  spec: ClientSpec;
  conn: Connection;
  /** Highest n seen per submitter, for detecting duplicates and gaps in each device's stream. */
  lastN: Map<number, number>;
  inflight: number;
  sent: number;
  /** Set by `track`: the n of the submitter's message that means "caught up". */
  target?: { submitter: number; n: number };
  reachedUs?: number;
}

let system: SystemName = 'ws';
let url = '';
const clients = new Map<number, Client>();
/** msgId → [submittedUs, latest receive µs, receivers]. */
let received = new Map<string, [number, number, number]>();
let deliveries = 0;
let duplicates = 0;
let gaps = 0;
let otherEvents = 0;
let otherBytes = 0;
let running: { window: number; textBytes: number; stopped: boolean } | undefined;

function connect(spec: ClientSpec, client: () => Client): Connection {
  const events = {
    onText: (text: string) => onText(client(), text),
    onOther: (bytes: number) => {
      otherEvents++;
      otherBytes += bytes;
    },
  };
  // Baseline devices ask for replay pages too: a build from before them drops the unknown hello
  // field and sends single frames, so an A/B compares the servers, not the devices.
  if (protocolOf(system) === 'baton') return new BatonConnection(url, spec, events);
  if (protocolOf(system) === 'socketio') return new SocketIoConnection(url, spec, events);
  return new WsConnection(url, spec, events);
}

function onText(client: Client, text: string): void {
  const t = nowUs();
  const parsed = parseText(text);
  if (!parsed) return;
  deliveries++;
  const entry = received.get(parsed.msgId);
  if (entry) {
    entry[1] = Math.max(entry[1], t);
    entry[2]++;
  } else {
    received.set(parsed.msgId, [parsed.submittedUs, t, 1]);
  }
  const last = client.lastN.get(parsed.submitter) ?? 0;
  if (parsed.n <= last) duplicates++;
  else if (parsed.n > last + 1) gaps++;
  if (parsed.n > last) client.lastN.set(parsed.submitter, parsed.n);
  const target = client.target;
  if (target && client.reachedUs === undefined && parsed.submitter === target.submitter) {
    if (parsed.n >= target.n) client.reachedUs = t;
  }
  if (parsed.submitter === client.spec.index) {
    client.inflight--;
    if (running && !running.stopped && client.inflight < running.window) {
      send(client, running.textBytes);
    }
  }
}

function send(client: Client, textBytes: number): void {
  client.sent++;
  client.inflight++;
  const msgId = `${client.spec.index}.${client.sent}`;
  client.conn.submit(msgId, makeText(msgId, nowUs(), textBytes));
}

async function openAll(cmd: OpenCommand): Promise<{ opened: number; failed: string[] }> {
  system = cmd.system;
  url = cmd.url;
  const failed: string[] = [];
  let next = 0;
  // Bounded concurrency: a burst of thousands of handshakes would measure the accept queue.
  const lane = async () => {
    while (next < cmd.clients.length) {
      const spec = cmd.clients[next++];
      if (!spec) break;
      const client: Client = {
        spec,
        conn: undefined as unknown as Connection,
        lastN: new Map(),
        inflight: 0,
        sent: 0,
      };
      client.conn = connect(spec, () => client);
      clients.set(spec.index, client);
      try {
        await client.conn.open();
      } catch (e) {
        failed.push(`client ${spec.index}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: cmd.concurrency }, lane));
  return { opened: cmd.clients.length - failed.length, failed: failed.slice(0, 10) };
}

async function run(cmd: RunCommand): Promise<{ submitted: Record<string, [number, number]> }> {
  const submitters = cmd.submitters.map((i) => clients.get(i)).filter((c) => c !== undefined);
  const start = Date.now();
  const first = new Map(submitters.map((c) => [c, c.sent + 1]));
  if (cmd.mode === 'window') {
    running = { window: cmd.window, textBytes: cmd.textBytes, stopped: false };
    for (const c of submitters) for (let i = 0; i < cmd.window; i++) send(c, cmd.textBytes);
    await sleep(cmd.durationMs);
    running.stopped = true;
  } else {
    // Open loop: each submitter is brought up to rate × elapsed on every tick, whatever the
    // server's answers, so a slow server shows up as latency rather than as a lower rate.
    const startSent = new Map(submitters.map((c) => [c, c.sent]));
    const max = cmd.maxPerSubmitter;
    for (;;) {
      const elapsed = Date.now() - start;
      const due = Math.min(max, Math.floor((elapsed / 1000) * cmd.ratePerSubmitter) + 1);
      for (const c of submitters) {
        while (c.sent - (startSent.get(c) ?? 0) < due) send(c, cmd.textBytes);
      }
      if (elapsed >= cmd.durationMs || due >= max) break;
      await sleep(2);
    }
  }
  running = undefined;
  const submitted: Record<string, [number, number]> = {};
  for (const c of submitters) submitted[c.spec.index] = [first.get(c) ?? 1, c.sent];
  return { submitted };
}

function collect(): CollectReport {
  const messages: CollectReport['messages'] = [];
  for (const [msgId, [sub, recv, count]] of received) messages.push([msgId, sub, recv, count]);
  const anomalies: string[] = [];
  let anomalyCount = 0;
  for (const c of clients.values()) {
    anomalyCount += c.conn.anomalies.length;
    if (anomalies.length < 10) anomalies.push(...c.conn.anomalies.slice(0, 2));
    c.conn.anomalies.length = 0;
  }
  const report = {
    messages,
    deliveries,
    duplicates,
    gaps,
    otherEvents,
    otherBytes,
    anomalies,
    anomalyCount,
  };
  received = new Map();
  // Other-event counters are cumulative: the flood scenario reads them across collections.
  deliveries = duplicates = gaps = 0;
  return report;
}

function track(cmd: TrackCommand): Record<string, never> {
  for (const i of cmd.indices) {
    const c = clients.get(i);
    if (!c) continue;
    c.target = { submitter: cmd.submitter, n: cmd.n };
    delete c.reachedUs;
  }
  return {};
}

function caughtUp(indices: number[]): CaughtUpReport {
  let caught = 0;
  let lastUs = 0;
  for (const i of indices) {
    const reached = clients.get(i)?.reachedUs;
    if (reached === undefined) continue;
    caught++;
    lastUs = Math.max(lastUs, reached);
  }
  return { caught, total: indices.length, lastUs };
}

serveIpc({
  open: (body) => openAll(body as OpenCommand),
  run: (body) => run(body as RunCommand),
  progress: () => ({ deliveries, otherEvents, otherBytes }),
  collect,
  track: (body) => track(body as TrackCommand),
  caughtUp: (body) => caughtUp((body as { indices: number[] }).indices),
  cut: (body) => {
    for (const i of (body as { indices: number[] }).indices) clients.get(i)?.conn.cut();
    return {};
  },
  resume: async (body) => {
    const list = (body as { indices: number[] }).indices;
    const results = await Promise.allSettled(list.map((i) => clients.get(i)?.conn.resume()));
    const failed = results.filter((r) => r.status === 'rejected').length;
    return { failed };
  },
  close: () => {
    for (const c of clients.values()) c.conn.close();
    clients.clear();
    return {};
  },
});
signalReady({ pid: process.pid });
