import { SYSTEMS } from './drivers/connection.js';
import { clientMemoryScenario } from './scenarios/client-memory.js';
import { fanoutScenario } from './scenarios/fanout.js';
import { lateJoinerScenario } from './scenarios/late-joiner.js';
import { floodScenario } from './scenarios/flood.js';
import type { Scenario } from './scenarios/result.js';
import { resumeScenario } from './scenarios/resume.js';
import { manyNodesScenario } from './scenarios/many-nodes.js';
import { relayLatencyScenario } from './scenarios/relay-latency.js';

export type ProfileName = 'full' | 'ci';

/** Bytes of text in every submitted message, for every system. */
const TEXT_BYTES = 256;

/** The scenarios whose rows are judged on one tail or one time: see `scenarios` below. */
// The fan-out's p99 is of 200 messages, so its second slowest: a single round's says little.
const BY_MEDIAN_ROUND = new Set(['seed-10x1', 'seed-100x10', 'fanout-1000x1', 'reconnect-storm']);

/**
 * The scenarios of a profile. `full` is the published run; `ci` is the same set, scaled down to
 * finish in about two minutes, and is judged only on correctness (every event delivered).
 * `idleConnections` is how many idle sockets the large-population scenario may open, limited
 * by the open-file limit.
 */
export function scenarios(profile: ProfileName, idleConnections: number): Scenario[] {
  const full = profile === 'full';
  const s = (fullMs: number, ciMs: number) => (full ? fullMs : ciMs);
  // Every latency phase starts after this long at its own rate (FanoutParams.latency.warmupMs).
  const warmupMs = s(5000, 1000);
  const bigActive = full ? 1000 : 100;
  const bigIdle = full ? idleConnections : Math.min(900, idleConnections);
  const all: Scenario[] = [
    fanoutScenario(
      'seed-10x1',
      '10 devices on 1 session',
      'Every device submits; every device receives every message (first seed scenario).',
      {
        devices: 10,
        sessions: 1,
        idle: 0,
        textBytes: TEXT_BYTES,
        systems: SYSTEMS,
        latency: {
          submittersPerSession: 10,
          ratePerSubmitter: 50,
          warmupMs,
          durationMs: s(8000, 2000),
        },
        saturation: { submittersPerSession: 10, window: 4, durationMs: s(5000, 1500) },
      },
    ),
    fanoutScenario(
      'seed-100x10',
      '100 devices on 10 sessions',
      'Ten devices per session, two of them submitting (second seed scenario).',
      {
        devices: 100,
        sessions: 10,
        idle: 0,
        textBytes: TEXT_BYTES,
        systems: SYSTEMS,
        latency: {
          submittersPerSession: 2,
          ratePerSubmitter: 25,
          warmupMs,
          durationMs: s(8000, 2000),
        },
        saturation: { submittersPerSession: 2, window: 4, durationMs: s(5000, 1500) },
      },
    ),
    fanoutScenario(
      full ? 'fanout-1000x1' : 'fanout-200x1',
      `${full ? '1,000' : '200'} devices on 1 session`,
      'One session watched by many devices; four of them submit.',
      {
        devices: full ? 1000 : 200,
        sessions: 1,
        idle: 0,
        textBytes: TEXT_BYTES,
        // 8 messages/s × 1,000 devices = 8,000 deliveries/s: below what two shared cores saturate at.
        latency: {
          submittersPerSession: 1,
          ratePerSubmitter: 8,
          warmupMs,
          durationMs: s(25_000, 2000),
        },
        saturation: { submittersPerSession: 4, window: 4, durationMs: s(5000, 1500) },
      },
    ),
    fanoutScenario(
      'open-connections',
      `${(bigActive + bigIdle).toLocaleString('en-US')} open connections, ${bigActive.toLocaleString('en-US')} active`,
      `${bigActive} devices on 10 sessions plus ${bigIdle} idle authenticated connections.`,
      {
        devices: bigActive,
        sessions: 10,
        idle: bigIdle,
        textBytes: TEXT_BYTES,
        latency: {
          submittersPerSession: 1,
          ratePerSubmitter: 5,
          warmupMs,
          durationMs: s(20_000, 2000),
        },
        saturation: { submittersPerSession: 1, window: 4, durationMs: s(5000, 1500) },
      },
    ),
    resumeScenario(
      'reconnect-storm',
      `Reconnect storm: ${full ? '1,000' : '100'} devices cut at once`,
      'All cut at the same instant; messages are sent while they are away; all reconnect at once and resume.',
      { cut: full ? 1000 : 100, missed: full ? 100 : 50, textBytes: TEXT_BYTES, rate: 500 },
    ),
    resumeScenario(
      'catch-up',
      `Catch-up after missing ${full ? '10,000' : '2,000'} events`,
      'One device is away while another submits; it then resumes from its last event.',
      { cut: 1, missed: full ? 10_000 : 2000, textBytes: TEXT_BYTES, rate: 2000 },
    ),
    lateJoinerScenario(
      'late-joiner',
      'Late joiner on a terminal with 1,000 lines',
      'A terminal printed 1,000 coloured lines and went quiet; devices subscribe from the start one after another and get the screen: time from the subscribe sent to the snapshot received, on loopback.',
      { lines: 1000, joiners: full ? 20 : 5 },
    ),
    floodScenario(
      'terminal-flood',
      'Terminal flood (`yes`) beside a chatting session',
      'Ten devices chat on one session while three viewers watch a terminal session running `yes`.',
      {
        devices: 10,
        viewers: 3,
        submitters: 10,
        ratePerSubmitter: 20,
        durationMs: s(6000, 2000),
        textBytes: TEXT_BYTES,
      },
    ),
    manyNodesScenario('many-nodes', {
      devicesPerNode: full ? 10 : 3,
      ratePerSubmitter: 20,
      durationMs: s(8000, 2000),
    }),
    // CI: a few keystrokes, enough to check that every echo reaches every device on both paths.
    relayLatencyScenario('relay-latency', 'Typing through a relay against a direct connection', {
      keystrokes: full ? 1000 : 20,
      devices: 3,
      intervalMs: 20,
    }),
    clientMemoryScenario(
      'client-memory',
      `Client memory after ${full ? '1,000,000' : '200,000'} terminal events`,
      full ? 1_000_000 : 200_000,
    ),
  ];
  // The rows judged on one tail or one time (seed and fan-out p99, the storm) are published as
  // the median of three interleaved rounds; CI checks delivery only, so one round does.
  return all.map((scenario) =>
    full && BY_MEDIAN_ROUND.has(scenario.name) ? { ...scenario, rounds: 3 } : scenario,
  );
}
