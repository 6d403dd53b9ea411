import assert from 'node:assert/strict';
import { test } from 'node:test';
import { medianRound } from './median-round.js';
import type { SystemRun } from './scenarios/result.js';

function latencyRun(p99: number, repetition: number, problems: string[] = []): SystemRun {
  return {
    system: 'baton',
    connections: 10,
    latency: { samples: 100, p50: 1, p99, p999: p99, max: p99 },
    repetition,
    figures: {},
    problems,
    notes: [],
  };
}

function resumeRun(lastCaughtUp: string, repetition: number): SystemRun {
  return {
    system: 'socketio',
    connections: 1000,
    repetition,
    figures: { 'reconnected (ms)': '100', 'last caught up (ms)': lastCaughtUp },
    problems: [],
    notes: [],
  };
}

test('the row is the round with the median p99, whole, and says what every round measured', () => {
  const rounds = [latencyRun(13.2, 1), latencyRun(9.2, 2), latencyRun(10.6, 3)];
  const row = medianRound(rounds);
  assert.equal(row.latency?.p99, 10.6);
  assert.equal(row.latency?.p50, 1);
  assert.equal(row.repetition, undefined, 'one row per system, not a round');
  assert.deepEqual(row.notes, ['median of 3 rounds by p99 ms: 13.20 / 9.20 / 10.60']);
  assert.deepEqual(row.roundHeadlines, [13.2, 9.2, 10.6], 'every round, in round order');
});

test('a broken guarantee in any round stays on the row, so the run still fails', () => {
  const rounds = [
    latencyRun(9, 1),
    latencyRun(10, 2),
    latencyRun(30, 3, ['2 events lost in session s1']),
  ];
  const row = medianRound(rounds);
  assert.equal(row.latency?.p99, 10);
  assert.deepEqual(row.problems, ['round 3: 2 events lost in session s1']);
});

test('a resume that never caught up counts as the slowest round, not as a missing one', () => {
  const rounds = [resumeRun('never', 1), resumeRun('1200', 2), resumeRun('never', 3)];
  const row = medianRound(rounds);
  assert.equal(row.figures['last caught up (ms)'], 'never');
  assert.match(row.notes[0] ?? '', /last caught up \(ms\): no figure \/ 1200\.00 \/ no figure/);
  // Rounds without a figure would make a spread of the ones that had one: none is kept.
  assert.equal(row.roundHeadlines, undefined);
});

test('the lower median of an even count is a round that happened', () => {
  const row = medianRound([latencyRun(4, 1), latencyRun(8, 2), latencyRun(6, 3), latencyRun(2, 4)]);
  assert.equal(row.latency?.p99, 4);
});

test('a round far slower than the published one keeps its server profile in a note', () => {
  const profile = (loopMax: number, gcMax: number) => ({
    cpuUs: 1,
    wallUs: 1,
    rssBytes: 1,
    heapUsedBytes: 1,
    eventLoopDelayP50Ms: 5,
    eventLoopDelayP99Ms: 8,
    eventLoopDelayMaxMs: loopMax,
    gcCount: 1,
    gcPauseTotalMs: gcMax,
    gcPauseMaxMs: gcMax,
    runQueueWaitMs: 300,
  });
  const rounds = [
    { ...latencyRun(8.8, 1), profile: profile(11, 3) },
    { ...latencyRun(246.3, 2), profile: profile(251.5, 4) },
    { ...latencyRun(12.9, 3), profile: profile(37, 36.6) },
  ];
  const row = medianRound(rounds);
  assert.equal(row.latency?.p99, 12.9);
  assert.deepEqual(row.notes.slice(1), [
    'round 2 (246.30): loop delay max 251.5 ms, longest GC pause 4.0 ms, waiting for a core 300 ms',
  ]);
});
