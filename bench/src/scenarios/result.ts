import type { ServerStats } from '../servers/server-stats.js';
import type { SystemName } from '../drivers/connection.js';
import type { LatencySummary } from '../stats.js';
import type { SaturationResult } from './measure.js';

/** What one system did in one scenario. */
export interface SystemRun {
  system: SystemName;
  connections: number;
  latency?: LatencySummary;
  /** The same submissions in the seconds before `latency` was measured, while the server warmed up. */
  warmupLatency?: LatencySummary;
  saturation?: SaturationResult;
  /** Server RSS growth from no clients to all connected, per connection, after a full GC. */
  rssPerConnectionBytes?: number;
  /**
   * The server process while the scenario's latency was measured (the latency phase, or the
   * resume until the last device caught up): where the tail comes from.
   */
  profile?: ServerStats;
  /** Which repetition this is, when the run was asked for several (`--repeat`). */
  repetition?: number;
  /**
   * For a row that is the median of several rounds (`median-round.ts`): every round's headline
   * figure, in round order, so that a verdict can say whether it lies within the rounds' spread.
   */
  roundHeadlines?: number[];
  /** Scenario-specific figures by column name, already formatted. */
  figures: Record<string, string>;
  /** Broken guarantees: lost, duplicated or reordered events. A run with problems fails. */
  problems: string[];
  /** Expected limits of the system (for example: no storage, so a cut loses events). */
  notes: string[];
}

export interface ScenarioResult {
  name: string;
  title: string;
  description: string;
  runs: SystemRun[];
}

/** A scenario runs once per system. */
export interface Scenario {
  name: string;
  title: string;
  description: string;
  systems: readonly SystemName[];
  /**
   * How many times the published run measures each system, interleaved (a b c a b c …); the
   * row is the median round (`median-round.ts`). For the rows whose figure is one tail or one
   * time, which move between runs far more than between systems. `--repeat` overrides it and
   * shows every round instead.
   */
  rounds?: number;
  run(system: SystemName): Promise<SystemRun>;
}
