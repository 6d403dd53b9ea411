import { headlineOf } from './report.js';
import type { SystemRun } from './scenarios/result.js';

/**
 * One row per system from several rounds of the same scenario: the round whose headline figure
 * (p99, or the scenario's own time) is the median of the rounds. The whole run is kept, not a
 * median per column, so every figure of the row (its CPU, its server profile) comes from the same
 * measurement as its headline.
 *
 * A single tail figure moves a lot between runs on a shared 2-core machine (seed 10 × 1 p99 of
 * one build: 9.2 to 13.2 ms in five rounds of one quiet run), so a verdict taken from one round
 * says more about the round than about the system. Guarantees are not averaged: a problem in any
 * round (an event lost, duplicated or reordered) stays on the row, and so the run fails.
 */
export function medianRound(rounds: readonly SystemRun[]): SystemRun {
  const first = rounds[0];
  if (first === undefined) throw new Error('medianRound needs at least one round');
  if (rounds.length === 1) return first;
  // Each round's headline once, in round order; the notes and the choice all read these.
  const measured = rounds.map((run, i) => ({ run, round: i + 1, headline: headlineOf(run) }));
  // A round with no figure (a resume that never caught up) counts as the slowest, not as absent:
  // leaving it out would flatter the system that failed it.
  const bySpeed = [...measured].sort(
    (a, b) => (a.headline?.value ?? Infinity) - (b.headline?.value ?? Infinity),
  );
  // The lower median for an even count: the row is always a round that happened.
  const chosen = bySpeed[Math.floor((bySpeed.length - 1) / 2)]!;
  const problems = measured.flatMap(({ run, round }) =>
    run.problems.map((p) => (run === chosen.run ? p : `round ${round}: ${p}`)),
  );
  const name = measured.find((m) => m.headline !== undefined)?.headline?.name;
  const each = measured.map((m) => m.headline?.value.toFixed(2) ?? 'no figure').join(' / ');
  const { repetition: _round, ...row } = chosen.run;
  const figures = measured.flatMap((m) =>
    m.headline && Number.isFinite(m.headline.value) ? [m.headline.value] : [],
  );
  return {
    ...row,
    ...(figures.length === measured.length ? { roundHeadlines: figures } : {}),
    problems,
    notes: [
      ...chosen.run.notes,
      `median of ${rounds.length} rounds by ${name ?? 'its figure'}: ${each}`,
      ...outlierNotes(measured, chosen),
    ],
  };
}

interface MeasuredRound {
  run: SystemRun;
  round: number;
  headline: ReturnType<typeof headlineOf>;
}

/**
 * Only the published round's server profile reaches the table, so a round far slower than it (a
 * stall) would leave nothing to explain it by: such a round keeps one line of its own profile,
 * enough to tell a long GC pause or a blocked event loop from a server starved of a core.
 */
function outlierNotes(measured: readonly MeasuredRound[], chosen: MeasuredRound): string[] {
  const published = chosen.headline?.value;
  if (published === undefined) return [];
  return measured.flatMap(({ run, round, headline }) => {
    const value = headline?.value;
    const stats = run.profile;
    if (run === chosen.run || value === undefined || value < OUTLIER_RATIO * published || !stats)
      return [];
    const parts = [
      `loop delay max ${stats.eventLoopDelayMaxMs.toFixed(1)} ms`,
      `longest GC pause ${stats.gcPauseMaxMs.toFixed(1)} ms`,
      ...(stats.runQueueWaitMs !== undefined
        ? [`waiting for a core ${stats.runQueueWaitMs.toFixed(0)} ms`]
        : []),
    ];
    return [`round ${round} (${value.toFixed(2)}): ${parts.join(', ')}`];
  });
}

/** A round at least this many times the published one's figure is called an outlier. */
const OUTLIER_RATIO = 2;
