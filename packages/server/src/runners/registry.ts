import type { SessionKind } from '@baton/protocol';
import type { RunnerFactory } from './runner.js';
import { claudeRunnerFactory } from './claude/index.js';
import { codexRunnerFactory } from './codex/index.js';
import { terminalRunnerFactory } from './terminal/index.js';

/** The runners a server has unless its options replace them. */
export function defaultRunners(): RunnerFactory[] {
  return [terminalRunnerFactory, claudeRunnerFactory, codexRunnerFactory];
}

export function runnerMap(
  overrides: readonly RunnerFactory[] = [],
): Map<SessionKind, RunnerFactory> {
  const map = new Map<SessionKind, RunnerFactory>();
  for (const f of defaultRunners()) map.set(f.kind, f);
  for (const f of overrides) map.set(f.kind, f);
  return map;
}
