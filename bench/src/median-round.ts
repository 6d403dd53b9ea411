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
  // A round with no figure (a resume that never caught up) counts as the slowest, not as absent:
  // leaving it out would flatter the system that failed it.
  const measured = rounds
    .map((run) => ({ run, headline: headlineOf(run) }))
    .sort((a, b) => (a.headline?.value ?? Infinity) - (b.headline?.value ?? Infinity));
  // The lower median for an even count: the row is always a round that happened.
  const chosen = measured[Math.floor((measured.length - 1) / 2)]!.run;
  const problems = rounds.flatMap((run, i) =>
    run.problems.map((p) => (run === chosen ? p : `round ${i + 1}: ${p}`)),
  );
  const name = measured.find((m) => m.headline !== undefined)?.headline?.name;
  const each = rounds.map((run) => headlineOf(run)?.value.toFixed(2) ?? 'no figure').join(' / ');
  const { repetition: _round, ...row } = chosen;
  return {
    ...row,
    problems,
    notes: [
      ...chosen.notes,
      `median of ${rounds.length} rounds by ${name ?? 'its figure'}: ${each}`,
      ...outlierNotes(rounds, chosen),
    ],
  };
}

/**
 * Only the published round's server profile reaches the table, so a round far slower than it (a
 * stall) would leave nothing to explain it by: such a round keeps one line of its own profile,
 * enough to tell a long GC pause or a blocked event loop from a server starved of a core.
 */
function outlierNotes(rounds: readonly SystemRun[], chosen: SystemRun): string[] {
  const published = headlineOf(chosen)?.value;
  if (published === undefined) return [];
  return rounds.flatMap((run, i) => {
    const value = headlineOf(run)?.value;
    const stats = run.profile;
    if (run === chosen || value === undefined || value < OUTLIER_RATIO * published || !stats)
      return [];
    const parts = [
      `loop delay max ${stats.eventLoopDelayMaxMs.toFixed(1)} ms`,
      `longest GC pause ${stats.gcPauseMaxMs.toFixed(1)} ms`,
      ...(stats.runQueueWaitMs !== undefined
        ? [`waiting for a core ${stats.runQueueWaitMs.toFixed(0)} ms`]
        : []),
    ];
    return [`round ${i + 1} (${value.toFixed(2)}): ${parts.join(', ')}`];
  });
}

/** A round at least this many times the published one's figure is called an outlier. */
const OUTLIER_RATIO = 2;
