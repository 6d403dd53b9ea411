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
    ],
  };
}
