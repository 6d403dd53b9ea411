import { performance } from 'node:perf_hooks';
import { BatonClient, MemorySealingStore, pairWithHost, registerDevice } from '@baton/client';
import { BASH_TERMINAL } from '@baton/server/testing';
import { WebSocket } from 'ws';
import type { SessionInfo, TerminalConfig } from '@baton/protocol';
import type { SystemName } from '../drivers/connection.js';
import { EchoDevice } from '../drivers/echo-device.js';
import { keystroke } from '../drivers/keystroke-echo.js';
import {
  batonCliPath,
  startCliHost,
  startCliServer,
  type CliHost,
  type CliServer,
} from '../servers/baton-cli.js';
import { summarizeUs, type LatencySummary } from '../stats.js';
import { baselineDir } from './harness.js';
import type { Scenario, SystemRun } from './result.js';

export interface RelayLatencyParams {
  /** Keystrokes measured on each side (direct, relay, plaintext relay): the same number on each. */
  keystrokes: number;
  /** Devices on each side's session; each keystroke is typed by the next one in turn. */
  devices: number;
  /** At least this long between one keystroke and the next (of either side): a fast typist. */
  intervalMs: number;
}

/** The `baton host` the relay's terminal runs on (it seals its sessions where it can). */
const HOST_NAME = 'bench';
/** A host on the same relay that seals nothing, for the plaintext relay side. */
const PLAINTEXT_HOST_NAME = 'bench-plaintext';
/** A keystroke whose echo has not reached every device by then counts as lost. */
const ECHO_TIMEOUT_MS = 15_000;
/** Unmeasured keystrokes first, so that neither side's first samples pay for cold code paths. */
const WARM_UP = 10;
/**
 * The shell of both sides: bash without rc files (`BASH_TERMINAL`), and readline without the
 * user's inputrc, so the two shells are the same program with the same settings.
 */
const SHELL = { ...BASH_TERMINAL, env: { ...BASH_TERMINAL.env, INPUTRC: '/dev/null' } };

/** One side of the comparison: a server, its terminal session and the devices attached to it. */
interface Side {
  name: 'direct' | 'relay' | 'plaintext relay';
  /** Its session is sealed by its host (end to end between the host and the devices). */
  sealed: boolean;
  devices: EchoDevice[];
  samplesUs: number[];
  lost: number;
  typed: number;
}

/**
 * The latency a relay adds to typing, against a direct connection, in the same run: `devices`
 * devices on a terminal session of a direct `baton serve` (the shell on the server's machine),
 * as many on a terminal session of a `baton relay` whose shell runs on a `baton host` on the
 * same machine (host paired with an owner code; sealed where the host seals), and as many on one
 * of the same relay whose shell runs on a second host that seals nothing (what sealing costs).
 * One keystroke at a time, rotating sides (direct, relay, plaintext relay, then the other way
 * round) so that noise from the shared machine hits all alike; each
 * is typed by the side's next device through the SDK, and measured from just before `send` to
 * its echo applied on every device of the side (the last one). Every keystroke's echo must reach
 * every device, with the log gap-free: that is what the CI profile checks.
 */
export function relayLatencyScenario(
  name: string,
  title: string,
  params: RelayLatencyParams,
): Scenario {
  return {
    name,
    title,
    description:
      `${params.devices} devices on a terminal session (bash without rc files) of a direct \`baton serve\`, ${params.devices} on one of a ` +
      `\`baton relay\` whose shell runs on a \`baton host\` on the same machine, and ${params.devices} on one of the same relay ` +
      `whose shell runs on a second host that seals nothing (plaintext relay); ${params.keystrokes} keystrokes on each side ` +
      `(a letter, then DEL), one at a time, rotating sides, each typed by the next device; ` +
      `latency is keystroke sent → its echo applied on every device of the side (SDK clients; where the host seals, ` +
      `the relay's devices are paired with it by link and open every event, and seal every keystroke).`,
    systems: ['baton'],
    run: (system) => runOnce(system, params),
  };
}

async function runOnce(system: SystemName, p: RelayLatencyParams): Promise<SystemRun> {
  // The baseline's CLI for `baton-base`, so an A/B of a relay change runs the whole path of each.
  const base = system === 'baton-base' ? baselineDir() : undefined;
  const cli = batonCliPath(base);
  const servers: CliServer[] = [];
  const hosts: CliHost[] = [];
  const sides: Side[] = [];
  try {
    const direct = await startCliServer(cli, 'serve');
    servers.push(direct);
    const relay = await startCliServer(cli, 'relay');
    servers.push(relay);
    const host = await startCliHost(cli, relay, HOST_NAME);
    hosts.push(host);
    const plain = await startCliHost(cli, relay, PLAINTEXT_HOST_NAME, { plaintext: true });
    hosts.push(plain);
    sides.push(await openSide('direct', direct, SHELL, p.devices));
    sides.push(await openSide('relay', relay, { ...SHELL, host: HOST_NAME }, p.devices, host));
    sides.push(
      await openSide('plaintext relay', relay, { ...SHELL, host: PLAINTEXT_HOST_NAME }, p.devices),
    );

    for (let n = 0; n < WARM_UP; n++) for (const side of sides) await typeOne(side, n, false);
    let next = performance.now();
    for (let i = 0; i < p.keystrokes; i++) {
      // ABC CBA: each side goes first, and last, in every other round.
      const order = i % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        next = performance.now() + p.intervalMs;
        await typeOne(side, WARM_UP + i, true);
      }
      if (sides.some((s) => s.lost > 0)) break;
    }
    return report(system, sides, p);
  } finally {
    for (const side of sides) await Promise.all(side.devices.map((d) => d.close()));
    await Promise.all(hosts.map((h) => h.stop()));
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/**
 * Creates the side's terminal session, attaches its devices and waits for the shell's prompt.
 * A session its host seals gets devices paired with that host by link, each with its own keys
 * (the SDK's `sealing` option), as a person pairs a phone; any other gets devices registered with
 * the owner token.
 */
async function openSide(
  name: Side['name'],
  server: CliServer,
  config: TerminalConfig,
  count: number,
  host?: CliHost,
): Promise<Side> {
  const owner = new BatonClient({
    url: server.wsUrl,
    token: server.ownerToken,
    mode: 'headless',
    label: `${name}-owner`,
    WebSocket: WebSocket as never,
    watchSessions: false,
  });
  owner.connect();
  let session: SessionInfo;
  try {
    await owner.whenConnected(60_000);
    session = await owner.createSession({ kind: 'terminal', name, config });
  } finally {
    await owner.close();
  }
  const sealed = session.sealed !== undefined;
  if (sealed && !host) throw new Error(`the ${name} session is sealed, but there is no host`);
  const devices: EchoDevice[] = [];
  try {
    for (let d = 0; d < count; d++) {
      const label = `${name}-device-${d + 1}`;
      if (sealed) {
        const store = new MemorySealingStore();
        const { token } = await pairWithHost(await host!.pairLink(), {
          store,
          name: label,
        });
        await keysArrive(server, token, session.id);
        devices.push(
          await EchoDevice.connect(server.wsUrl, token, label, session.id, { sealing: { store } }),
        );
      } else {
        const { token } = await registerDevice(server.url, server.ownerToken, label, 'headless');
        devices.push(await EchoDevice.connect(server.wsUrl, token, label, session.id));
      }
    }
    await Promise.all(devices.map((d) => d.printed('$ ', 60_000)));
  } catch (err) {
    // The run fails; its other sides are closed by the caller, these here.
    await Promise.all(devices.map((d) => d.close()));
    throw err;
  }
  return { name, sealed, devices, samplesUs: [], lost: 0, typed: 0 };
}

/**
 * Waits until the host has wrapped the session's key to a newly paired device (it accepted the
 * device's introduction): before that the device could not open the session's events.
 */
async function keysArrive(server: CliServer, token: string, sessionId: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const res = await fetch(`${server.url}/api/sessions/${sessionId}/keys`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = res.ok ? ((await res.json()) as { wrapped?: unknown[] }) : {};
    if ((body.wrapped?.length ?? 0) > 0) return;
    if (performance.now() > deadline)
      throw new Error(`the host did not wrap the session key to a new device (${res.status})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Types keystroke `n` on the side's next device and waits for its echo on all of them. */
async function typeOne(side: Side, n: number, measured: boolean): Promise<void> {
  const key = keystroke(n);
  for (const d of side.devices) d.expect(key);
  const typist = side.devices[side.typed++ % side.devices.length]!;
  const sentAt = performance.now();
  typist.type(key.data);
  const arrivals = await Promise.all(side.devices.map((d) => d.arrival(ECHO_TIMEOUT_MS)));
  if (arrivals.some((a) => a === undefined)) {
    side.lost++;
    return;
  }
  if (measured) side.samplesUs.push((Math.max(...(arrivals as number[])) - sentAt) * 1000);
}

function report(system: SystemName, sides: Side[], p: RelayLatencyParams): SystemRun {
  const [direct, relay, plain] = sides as [Side, Side, Side];
  const d = summarizeUs(direct.samplesUs);
  const r = summarizeUs(relay.samplesUs);
  const t = summarizeUs(plain.samplesUs);
  const problems: string[] = [];
  for (const side of sides) {
    if (side.lost > 0)
      problems.push(
        `${side.name}: a keystroke's echo did not reach every device within ${ECHO_TIMEOUT_MS} ms`,
      );
    else if (side.samplesUs.length !== p.keystrokes)
      problems.push(
        `${side.name}: ${side.samplesUs.length} of ${p.keystrokes} keystrokes measured`,
      );
    for (const device of side.devices) problems.push(...device.problems.slice(0, 3));
  }
  if (plain.sealed) problems.push('the plaintext relay side was sealed: its host sealed anyway');
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');
  const ms = (s: LatencySummary, k: 'p50' | 'p99' | 'max') =>
    Number.isFinite(s[k]) ? s[k].toFixed(2) : '–';
  // From the rounded figures, so that it agrees with the columns beside it.
  const added = (s: LatencySummary, k: 'p50' | 'p99') => {
    const v = Number(ms(s, k)) - Number(ms(d, k));
    return Number.isFinite(v) ? v.toFixed(2) : '–';
  };
  return {
    system,
    connections: p.devices * sides.length,
    // The relay's, so that an A/B (`--baseline`) compares the relay path.
    latency: r,
    figures: {
      'direct p50 (ms)': ms(d, 'p50'),
      'direct p99 (ms)': ms(d, 'p99'),
      'relay p50 (ms)': ms(r, 'p50'),
      'relay p99 (ms)': ms(r, 'p99'),
      'relay ÷ direct p50': ratio(r.p50, d.p50),
      'relay ÷ direct p99': ratio(r.p99, d.p99),
      'relay adds p50 / p99 (ms)': `${added(r, 'p50')} / ${added(r, 'p99')}`,
      'relay sessions': relay.sealed ? 'sealed' : 'plaintext',
      'plaintext relay p50 / p99 (ms)': `${ms(t, 'p50')} / ${ms(t, 'p99')}`,
      'plaintext relay ÷ direct p50 / p99': `${ratio(t.p50, d.p50)} / ${ratio(t.p99, d.p99)}`,
      'max direct / relay / plaintext relay (ms)': `${ms(d, 'max')} / ${ms(r, 'max')} / ${ms(t, 'max')}`,
      'keystrokes per side': String(Math.min(d.samples, r.samples, t.samples)),
    },
    problems,
    notes: [],
  };
}
