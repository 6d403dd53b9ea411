import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEBSOCKET_PATH } from '@baton/protocol';
import { readCanonicalLog } from './canonical-log.js';
import { checkSession, type Violation } from './check-history.js';
import { injectFaults, type FaultName } from './faults.js';
import { runFuzzer, type FuzzReport } from './fuzzer.js';
import { HonestClient } from './honest-client.js';
import { ServerControl } from './server-control.js';
import { TcpProxy } from './tcp-proxy.js';

export interface ScenarioSpec {
  name: string;
  description: string;
  faults: FaultName[];
  sessions: number;
  /** Plain honest clients (spread over the sessions). */
  clients: number;
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
  faultPeriodMs: number;
  /** How long the honest clients take to submit their inputs (faults run throughout). */
  durationMs: number;
  deadlineMs: number;
}

export interface ScenarioOutcome {
  name: string;
  ok: boolean;
  seconds: number;
  lines: string[];
  violations: Violation[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One checker run: a fresh server (own process, data directory and port), honest clients through
 * a controllable proxy, the scenario's faults until every client has all its inputs answered,
 * then the canonical logs read back and every history checked against them.
 */
export async function runScenario(spec: ScenarioSpec): Promise<ScenarioOutcome> {
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-chaos-'));
  const server = await ServerControl.create(dataDir);
  const proxy = new TcpProxy(server.port);
  const slowProxy = new TcpProxy(server.port);
  const clients: HonestClient[] = [];
  const lines: string[] = [];
  const violations: Violation[] = [];
  const problems: string[] = [];
  try {
    await server.start();
    const proxyPort = await proxy.listen();
    const slowPort = await slowProxy.listen();
    const sessions: string[] = [];
    for (let s = 0; s < spec.sessions; s++) {
      const r = await server.api<{ session: { id: string } }>('POST', '/api/sessions', {
        kind: 'claude',
        name: `chaos ${s}`,
      });
      sessions.push(r.session.id);
    }
    const total = spec.clients + spec.twins + spec.stale + spec.slow;
    for (let i = 0; i < total; i++) {
      const { token } = await server.api<{ token: string }>('POST', '/api/devices', {
        name: `chaos ${i}`,
      });
      const role =
        i < spec.clients
          ? 'c'
          : i < spec.clients + spec.twins
            ? 'twin'
            : i < total - spec.slow
              ? 'stale'
              : 'slow';
      const port = role === 'slow' ? slowPort : proxyPort;
      clients.push(
        new HonestClient({
          name: `${role}${i}`,
          wsUrl: `ws://127.0.0.1:${port}${WEBSOCKET_PATH}`,
          token,
          sessionId: sessions[i % sessions.length] ?? '',
          inputs: spec.inputsPerClient,
          window: 8,
          intervalMs: Math.max(1, Math.floor(spec.durationMs / spec.inputsPerClient)),
          twin: role === 'twin',
          staleResume: role === 'stale',
          textBytes: spec.textBytes,
        }),
      );
    }
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
    const faultLog = await injectFaults(
      spec.faults,
      { server, proxy, slowProxy },
      () => allDone() && (spec.fuzzFrames === 0 || fuzz !== undefined),
      spec.faultPeriodMs,
    );
    while (!allDone()) await sleep(50);
    await fuzzRun;
    // Let the last acknowledged events reach every subscriber before reading the logs.
    await sleep(500);
    for (const c of clients) c.stop();
    if (!server.alive) {
      problems.push('the server process died during the run');
      await server.start();
    }

    for (const sessionId of sessions) {
      const canonical = await readCanonicalLog(server, sessionId);
      const histories = clients
        .filter((c) => c.options.sessionId === sessionId)
        .map((c) => c.result());
      violations.push(...checkSession(sessionId, canonical, histories));
      lines.push(
        `session ${sessionId}: ${canonical.length} events checked against ${histories.length} histories`,
      );
    }

    const unfinished = clients.filter((c) => !c.done);
    const acked = clients.reduce((n, c) => n + c.acked, 0);
    const expected = clients.length * spec.inputsPerClient;
    lines.push(
      `inputs acknowledged: ${acked} of ${expected}; reconnects: ${clients.reduce((n, c) => n + c.connects, 0) - clients.length}`,
    );
    lines.push(
      `faults: ${faultLog.kills} kill -9, ${faultLog.cuts} cuts (${faultLog.cutConnections} connections), ${faultLog.stalls} stalls, ${faultLog.slowStalls} reader stalls`,
    );
    if (unfinished.length > 0)
      problems.push(`${unfinished.length} clients did not get all inputs answered in time`);
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
    for (const c of clients) c.stop();
    await proxy.close();
    await slowProxy.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
