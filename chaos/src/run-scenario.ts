import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEBSOCKET_PATH } from '@baton/protocol';
import { LogArchiver } from './canonical-log.js';
import type { ChaosClient, InputKind } from './chaos-client.js';
import { checkAckedOuts } from './check-acked-outs.js';
import { checkSession, type Violation } from './check-history.js';
import { checkHostStream, HOST_STREAM_TERMINAL } from './check-host-stream.js';
import { injectFaults, type FaultName } from './faults.js';
import { runFuzzer, type FuzzReport } from './fuzzer.js';
import { HonestClient } from './honest-client.js';
import { HostLinkTap } from './host-link-tap.js';
import { HostControl } from './host-control.js';
import { runHttpFuzzer, type HttpFuzzReport } from './http-fuzzer.js';
import { awaitKeys, pairSealedDevice, sealInput, type SealedDevice } from './sealed-device.js';
import { sealedLogOpener } from './sealed-log.js';
import { awaitLiveness } from './liveness.js';
import { SdkClient } from './sdk-client.js';
import { ServerControl } from './server-control.js';
import { TcpProxy } from './tcp-proxy.js';
import { TEST_PG_URL, tempPgSchema } from '@baton/server/testing';

export interface ScenarioSpec {
  name: string;
  description: string;
  faults: FaultName[];
  sessions: number;
  /** `claude` sessions (idle runner) take chat messages; `terminal` ones run a real PTY. */
  sessionKind: 'claude' | 'terminal';
  /** Events kept per session before compaction (small: compaction and snapshots under faults). */
  retentionEvents?: number;
  /** The server's durability mode (default `normal`). */
  durability?: 'normal' | 'full';
  /** Plain honest clients on the raw protocol (spread over the sessions). */
  clients: number;
  /** Honest clients built on the SDK (`BatonClient`). */
  sdkClients: number;
  inputsPerClient: number;
  /** Clients whose two connections race every input with the same id. */
  twins: number;
  /** Clients that resume from stale sequence numbers. */
  stale: number;
  /** Clients behind the proxy that stops forwarding the server's bytes. */
  slow: number;
  textBytes: number;
  /** Hostile frames to send while the honest clients work (0: no fuzzer). */
  fuzzFrames: number;
  /** The HTTP fuzzer, if any: hostile requests, slowloris connections and slow bodies. */
  http?: { requests: number; slowloris: number; slowBodies: number };
  faultPeriodMs: number;
  /**
   * Each fault fires exactly this often, then the faults stop and the clients finish (the relay
   * scenarios: a relay or host start is a whole `baton` command and takes seconds, so faulting
   * until the clients are done could starve them). Absent: faults until the clients are done.
   */
  faultRounds?: number;
  /** How long the honest clients take to submit their inputs (faults run throughout). */
  durationMs: number;
  deadlineMs: number;
  /** After the faults heal, every subscriber must reach the head of its log within this. */
  livenessBoundMs: number;
  /**
   * Many nodes: this many `--cluster` servers on one PostgreSQL schema (BATON_TEST_PG), the
   * honest clients spread over them, `kill9` hitting a random node. Absent: one server on SQLite.
   */
  nodes?: { count: number; leaseMs: number };
  /**
   * A relay: the server is the real `baton relay`, and every session is a terminal on one real
   * `baton host` (HOST_STREAM_TERMINAL, printing numbered lines), whose stream is checked too
   * (checkHostStream). `kill9` kills the relay; `host-kill9` the host. The host seals every
   * session: every client is a device paired with it by link that seals its inputs, and the
   * checker reads the log as one more paired device that opens and verifies every event.
   */
  relay?: boolean;
}

/** The name the relay scenarios' host registers under. */
const CHAOS_HOST = 'chaos-host';

/** Many-node runs: the PostgreSQL to make a schema in (as the server's PostgreSQL tests). */
const CHAOS_PG_URL = process.env['BATON_TEST_PG'] ?? TEST_PG_URL;

export interface ScenarioOutcome {
  name: string;
  ok: boolean;
  seconds: number;
  lines: string[];
  violations: Violation[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The terminal of the terminal scenarios: a real PTY running a shell that prints a steady stream
 * of lines in the background (real terminal output, enough to compact) and answers every line
 * typed into it. Echo is off so that the typed text is not output twice.
 */
const TERMINAL_CONFIG = {
  shell: '/bin/sh',
  args: [
    '-c',
    'stty -echo; (i=0; while :; do j=0; while [ $j -lt 20 ]; do echo "out $i.$j"; j=$((j+1)); done; i=$((i+1)); sleep 0.05; done) & ' +
      'while IFS= read -r line; do echo "got $line"; done',
  ],
};

/**
 * One checker run: a fresh server (own process, data directory and port), honest clients through
 * a controllable proxy, the scenario's faults until every client has all its inputs answered,
 * then the liveness check (every subscriber reaches the head once the faults heal), the logs read
 * back and every history checked against them.
 */
export async function runScenario(spec: ScenarioSpec): Promise<ScenarioOutcome> {
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-chaos-'));
  const server = await ServerControl.create(dataDir);
  server.configure({
    ...(spec.retentionEvents !== undefined ? { retentionEvents: spec.retentionEvents } : {}),
    ...(spec.durability !== undefined ? { durability: spec.durability } : {}),
    ...(spec.relay === true ? { relay: true } : {}),
  });
  const hostDir =
    spec.relay === true ? mkdtempSync(join(tmpdir(), 'baton-chaos-host-')) : undefined;
  // The host reaches the relay through the tap, which reads what the relay acknowledged.
  const tap = hostDir ? new HostLinkTap(server.port) : undefined;
  let host: HostControl | undefined;
  // Many nodes: every node on one schema, with the first node's owner token.
  const schema = spec.nodes ? await tempPgSchema('baton_chaos', CHAOS_PG_URL) : undefined;
  const nodes: ServerControl[] = [server];
  const nodeDirs: string[] = [];
  for (let i = 1; i < (spec.nodes?.count ?? 1); i++) {
    const dir = mkdtempSync(join(tmpdir(), 'baton-chaos-node-'));
    nodeDirs.push(dir);
    const node = await ServerControl.create(dir);
    node.token = server.token;
    nodes.push(node);
  }
  if (spec.nodes && schema) {
    for (const node of nodes)
      node.configure({
        ...(spec.retentionEvents !== undefined ? { retentionEvents: spec.retentionEvents } : {}),
        cluster: { store: schema.url, leaseMs: spec.nodes.leaseMs },
      });
  }
  const proxy = new TcpProxy(server.port);
  const slowProxy = new TcpProxy(server.port);
  /** One proxy per further node: clients are spread over the nodes. */
  const nodeProxies = nodes.slice(1).map((n) => new TcpProxy(n.port));
  const clients: ChaosClient[] = [];
  const lines: string[] = [];
  const violations: Violation[] = [];
  const problems: string[] = [];
  let archiving = true;
  try {
    for (const node of nodes) await node.start();
    if (hostDir && tap) {
      host = new HostControl(`http://127.0.0.1:${await tap.listen()}`, hostDir, CHAOS_HOST);
      const { code } = await server.api<{ code: string }>('POST', '/api/pairings', {
        role: 'owner',
      });
      await host.start(code);
    }
    const proxyPort = await proxy.listen();
    const slowPort = await slowProxy.listen();
    const nodePorts = [proxyPort];
    for (const p of nodeProxies) nodePorts.push(await p.listen());
    const sessions: string[] = [];
    for (let s = 0; s < spec.sessions; s++) {
      const r = await server.api<{ session: { id: string } }>('POST', '/api/sessions', {
        kind: spec.sessionKind,
        name: `chaos ${s}`,
        ...(host
          ? { config: { ...HOST_STREAM_TERMINAL, host: CHAOS_HOST } }
          : spec.sessionKind === 'terminal'
            ? { config: TERMINAL_CONFIG }
            : {}),
      });
      sessions.push(r.session.id);
    }
    // Sealed sessions: one paired device per client, and the checker's own reader device.
    const devices: SealedDevice[] = [];
    let reader: SealedDevice | undefined;
    if (host && hostDir) {
      reader = await pairSealedDevice(server.httpUrl, hostDir, 'chaos reader');
      for (let i = 0; i < clientCount(spec); i++)
        devices.push(await pairSealedDevice(server.httpUrl, hostDir, `chaos ${i}`));
      for (const d of [reader, ...devices]) await awaitKeys(server.httpUrl, d, sessions);
    }
    const readerSealing = await reader?.sealing();
    const archivers: LogArchiver[] = [];
    for (const id of sessions) {
      const opener =
        readerSealing && reader
          ? sealedLogOpener(await readerSealing.session(id, reader.hostId))
          : undefined;
      archivers.push(new LogArchiver(server, id, opener));
    }
    // With a small retention the log is read while it grows, before compaction removes events.
    const archiving$ =
      spec.retentionEvents !== undefined
        ? Promise.all(archivers.map((a) => a.follow(100, () => !archiving)))
        : Promise.resolve([]);

    const inputKind: InputKind = spec.sessionKind === 'terminal' ? 'terminal' : 'message';
    const roles: string[] = [
      ...Array<string>(spec.clients).fill('c'),
      ...Array<string>(spec.sdkClients).fill('sdk'),
      ...Array<string>(spec.twins).fill('twin'),
      ...Array<string>(spec.stale).fill('stale'),
      ...Array<string>(spec.slow).fill('slow'),
    ];
    // With two or more slow readers, one of them is an SDK client: the SDK meets the server's
    // slow-consumer cut and its own resume, not only the raw client.
    if (spec.slow >= 2) roles[roles.length - 1] = 'sdk-slow';
    const tokens: string[] = [];
    for (const [i, role] of roles.entries()) {
      const device = devices[i];
      const token =
        device?.token ??
        (await server.api<{ token: string }>('POST', '/api/devices', { name: `chaos ${i}` })).token;
      tokens.push(token);
      const sessionId = sessions[i % sessions.length] ?? '';
      const port =
        role === 'slow' || role === 'sdk-slow' ? slowPort : nodePorts[i % nodePorts.length]!;
      const options = {
        name: `${role}${i}`,
        wsUrl: `ws://127.0.0.1:${port}${WEBSOCKET_PATH}`,
        token,
        sessionId,
        inputs: spec.inputsPerClient,
        window: 8,
        intervalMs: Math.max(1, Math.floor(spec.durationMs / spec.inputsPerClient)),
        twin: role === 'twin',
        staleResume: role === 'stale',
        textBytes: spec.textBytes,
        inputKind,
        ...(device
          ? {
              seal: (inputId: string, payload: Parameters<typeof sealInput>[3]) =>
                sealInput(device, sessionId, inputId, payload),
              sealingStore: device.store,
            }
          : {}),
      };
      clients.push(role.startsWith('sdk') ? new SdkClient(options) : new HonestClient(options));
    }
    // Every node knows every device and session before the clients start (a node reads what
    // another one stored within one poll).
    if (nodes.length > 1) await everyNodeKnows(nodes, tokens, sessions);
    for (const c of clients) c.start();

    const allDone = () => clients.every((c) => c.done) || Date.now() - started > spec.deadlineMs;
    let fuzz: FuzzReport | undefined;
    const fuzzRun =
      spec.fuzzFrames > 0
        ? runFuzzer({
            wsUrl: `ws://127.0.0.1:${server.port}${WEBSOCKET_PATH}`,
            token: server.token,
            seed: 1234,
            maxFrameBytes: 1024 * 1024,
            frames: spec.fuzzFrames,
            window: 64,
            deadlineMs: spec.deadlineMs,
          }).then((r) => (fuzz = r))
        : Promise.resolve();
    let http: HttpFuzzReport | undefined;
    const httpRun = spec.http
      ? runHttpFuzzer({
          host: '127.0.0.1',
          port: server.port,
          token: server.token,
          seed: 4321,
          maxBodyBytes: 1024 * 1024,
          requests: spec.http.requests,
          window: 8,
          slowloris: spec.http.slowloris,
          slowBodies: spec.http.slowBodies,
          answerTimeoutMs: 10_000,
          deadlineMs: spec.deadlineMs,
        }).then((r) => (http = r))
      : Promise.resolve();
    const fuzzersDone = () =>
      (spec.fuzzFrames === 0 || fuzz !== undefined) && (!spec.http || http !== undefined);

    // A crash nobody caused is a failure, but the run goes on (restarted, as a supervisor would)
    // so that the histories can still be checked.
    let restarted = 0;
    let supervising = true;
    const supervisor = (async () => {
      while (supervising) {
        const crashes =
          nodes.reduce((n, node) => n + node.crashes.length, 0) + (host?.crashes.length ?? 0);
        if (crashes > restarted) {
          restarted = crashes;
          for (const node of nodes) await node.start().catch(() => undefined);
          await host?.start().catch(() => undefined);
        }
        await sleep(50);
      }
    })();

    const faultLog = await injectFaults(
      spec.faults,
      { server, proxy, slowProxy, nodes, ...(host ? { host } : {}) },
      () => allDone() && fuzzersDone(),
      spec.faultPeriodMs,
      spec.faultRounds,
      started + spec.deadlineMs,
    );
    while (!allDone() || !fuzzersDone()) await sleep(50);
    await Promise.all([fuzzRun, httpRun]);
    supervising = false;
    await supervisor;
    for (const node of nodes) if (!node.alive) await node.start();
    if (host && !host.alive) await host.start();

    // Liveness: the faults have healed (proxies forward again, the server is up); every
    // subscriber must now reach the head of its session's log within the stated bound.
    const liveness = await awaitLiveness(server, sessions, clients, spec.livenessBoundMs);
    lines.push(liveness.line);
    if (!liveness.ok) problems.push(liveness.line);

    for (const c of clients) c.stop();
    archiving = false;
    await archiving$;
    // The host prints on while the log is read: only what was acknowledged before is looked for.
    const tapped = tap?.snapshot();
    for (const [s, sessionId] of sessions.entries()) {
      const archiver = archivers[s];
      if (!archiver) continue;
      await archiver.poll();
      const log = archiver.log();
      const histories = clients.filter((c) => c.sessionId === sessionId).map((c) => c.result());
      violations.push(...checkSession(sessionId, log.events, histories, log.unseen));
      // A stored body that does not open or verify is a failure, never skipped.
      for (const r of log.refused)
        violations.push({
          kind: 'sealed-refused',
          sessionId,
          detail: `seq ${r.seq} did not open or verify: ${r.reason}`,
        });
      if (reader)
        lines.push(
          `session ${sessionId}: sealed; ${log.events.length - log.refused.length} stored events opened and verified by the checker's paired device, ${log.refused.length} refused`,
        );
      if (host) {
        // Every host start makes each session one new shell; a lost stream shows as no lines.
        const stream = checkHostStream(sessionId, log.events, {
          maxEpochs: host.starts,
          minLines: 100,
        });
        violations.push(...stream.violations);
        const outs = checkAckedOuts(sessionId, log.events, tapped?.get(sessionId));
        violations.push(...outs.violations);
        lines.push(
          `session ${sessionId}: the host sent ${outs.summary.sent} outs, the relay acknowledged ${outs.summary.acked}, ${outs.summary.checked} acknowledged outs of events found in the log`,
        );
        if (log.unseen.size > 0)
          problems.push(
            `session ${sessionId}: the host stream cannot be checked across compaction`,
          );
        lines.push(
          `session ${sessionId}: the host's stream has ${stream.summary.lines} numbered lines from ${stream.summary.epochs} shells (${host.starts} host starts)`,
        );
      }
      const snapshots = histories.reduce(
        (n, h) =>
          n +
          h.segments.reduce(
            (m, seg) => m + seg.items.filter((i) => i.kind === 'snapshot').length,
            0,
          ),
        0,
      );
      lines.push(
        `session ${sessionId}: ${log.events.length} events checked against ${histories.length} histories` +
          (spec.retentionEvents !== undefined
            ? `; head ${log.headSeq}, the server keeps from ${log.firstSeq}, ${log.unseen.size} compacted before the checker read them, ${snapshots} snapshots received by clients`
            : ''),
      );
    }

    const unfinished = clients.filter((c) => !c.done);
    const acked = clients.reduce((n, c) => n + c.acked, 0);
    const expected = clients.length * spec.inputsPerClient;
    lines.push(
      `inputs acknowledged: ${acked} of ${expected}; reconnects: ${clients.reduce((n, c) => n + c.connects, 0) - clients.length} ` +
        `(${clients.filter((c) => c instanceof HonestClient).length} raw clients, ${clients.filter((c) => c instanceof SdkClient).length} SDK clients)`,
    );
    const dropped = clients.reduce((n, c) => n + (c instanceof SdkClient ? c.dropped : 0), 0);
    if (dropped > 0)
      lines.push(
        `${dropped} terminal inputs dropped unsent by the SDK clients (they waited longer than the SDK's terminal input TTL while the server was down, by design)`,
      );
    lines.push(
      `faults: ${faultLog.kills} kill -9${host ? ` of the relay, ${faultLog.hostKills} kill -9 of the host` : ''}, ${faultLog.cuts} cuts (${faultLog.cutConnections} connections), ${faultLog.stalls} stalls, ${faultLog.slowStalls} reader stalls`,
    );
    const crashes = [...nodes.flatMap((n) => n.crashes), ...(host?.crashes ?? [])];
    if (crashes.length > 0)
      problems.push(
        `the server${host ? ' or host' : ''} crashed ${crashes.length} times without being killed; first: ${crashes[0]}`,
      );
    if (unfinished.length > 0)
      problems.push(
        `${unfinished.length} clients did not get all inputs answered in time: ` +
          unfinished
            .map(
              (c) =>
                `${c.name} (${c.acked} acknowledged${c instanceof SdkClient ? `; ${c.lastState}` : ''})`,
            )
            .join(', '),
      );
    const rejected = clients.reduce((n, c) => n + c.rejected, 0);
    if (rejected > 0) problems.push(`${rejected} honest inputs rejected`);
    const unexpected = clients.flatMap((c) => c.unexpectedErrors);
    if (unexpected.length > 0) problems.push(`honest clients got errors, e.g. ${unexpected[0]}`);
    if (fuzz) {
      const lost = Object.entries(fuzz.lostToClose);
      lines.push(
        `fuzzer: ${fuzz.sent} hostile frames on ${fuzz.connections} connections, ${fuzz.errors} answered with an error` +
          (lost.length > 0
            ? `, unanswered when a connection closed: ${lost.map(([c, n]) => `${n} (close ${c})`).join(', ')}`
            : ''),
      );
      if (fuzz.sent < spec.fuzzFrames)
        problems.push(`fuzzer sent only ${fuzz.sent} of ${spec.fuzzFrames} frames`);
      if (fuzz.accepted.length > 0)
        problems.push(`server accepted hostile frames, e.g. ${fuzz.accepted[0]}`);
      // Only a crash (1006 while the server was killed on purpose) may leave frames unanswered.
      const allowed = spec.faults.includes('kill9') ? ['1006'] : [];
      const bad = lost.filter(([code]) => !allowed.includes(code));
      if (bad.length > 0)
        problems.push(`hostile frames left unanswered when the server closed a connection`);
    }
    if (spec.http && http) problems.push(...(await httpFuzzLines(spec, http, server, lines)));
    lines.push(...problems.map((p) => `PROBLEM: ${p}`));
    for (const v of violations.slice(0, 20)) {
      lines.push(
        `VIOLATION ${v.kind} ${v.sessionId}${v.client ? ` ${v.client}` : ''}: ${v.detail}`,
      );
    }
    if (violations.length > 20) lines.push(`… and ${violations.length - 20} more violations`);
    return {
      name: spec.name,
      ok: problems.length === 0 && violations.length === 0,
      seconds: (Date.now() - started) / 1000,
      lines,
      violations,
    };
  } finally {
    archiving = false;
    for (const c of clients) c.stop();
    await proxy.close();
    await slowProxy.close();
    for (const p of nodeProxies) await p.close();
    await host?.stop();
    await tap?.close();
    for (const node of nodes) await node.stop();
    if (hostDir) rmSync(hostDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    for (const dir of nodeDirs) rmSync(dir, { recursive: true, force: true });
    await schema?.drop();
  }
}

/** Clients of every role in a scenario (each is one device). */
function clientCount(spec: ScenarioSpec): number {
  return spec.clients + spec.sdkClients + spec.twins + spec.stale + spec.slow;
}

/** Waits until every node accepts every client's token and lists every session. */
async function everyNodeKnows(
  nodes: readonly ServerControl[],
  tokens: readonly string[],
  sessions: readonly string[],
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const node of nodes) {
    for (const token of tokens) {
      for (;;) {
        const res = await fetch(`${node.httpUrl}/api/sessions`, {
          headers: { authorization: `Bearer ${token}` },
        }).catch(() => undefined);
        const body = res?.ok ? ((await res.json()) as { sessions: { id: string }[] }) : undefined;
        const ids = new Set(body?.sessions.map((s) => s.id));
        if (sessions.every((id) => ids.has(id))) break;
        if (Date.now() > deadline)
          throw new Error(`node ${node.port} never knew every device and session`);
        await sleep(100);
      }
    }
  }
}

/** Report lines for the HTTP fuzzer; returns its problems. */
async function httpFuzzLines(
  spec: ScenarioSpec,
  http: HttpFuzzReport,
  server: ServerControl,
  lines: string[],
): Promise<string[]> {
  const problems: string[] = [];
  const answers = Object.entries(http.answers)
    .sort()
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const categories = Object.entries(http.byCategory)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  lines.push(
    `http fuzzer: ${http.sent} hostile requests (${categories}) and ${http.slowBodies} slow bodies; answers: ${answers}; ` +
      `${http.refused} refused while the server was down; slowloris: ${http.slowloris.opened} held open, ${http.slowloris.closedByServer} closed by the server`,
  );
  if (http.sent < (spec.http?.requests ?? 0))
    problems.push(`http fuzzer sent only ${http.sent} of ${spec.http?.requests ?? 0} requests`);
  if (http.serverErrors.length > 0)
    problems.push(
      `${http.serverErrors.length} hostile requests answered with a server error, e.g. ${http.serverErrors[0]}`,
    );
  if (http.hung.length > 0)
    problems.push(
      `${http.hung.length} hostile requests never answered while the connection stayed open, e.g. ${http.hung[0]}`,
    );
  // The server must still answer an honest request once the fuzzing is over.
  const health = await fetch(`${server.httpUrl}/api/health`).catch((e: unknown) => e as Error);
  if (health instanceof Error || health.status !== 200)
    problems.push(
      `/api/health after the HTTP fuzzer: ${health instanceof Error ? health.message : health.status}`,
    );
  return problems;
}
