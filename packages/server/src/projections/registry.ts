import type { ProjectionFactory } from './projection.js';
import { agentProjectionFactory } from './agent/index.js';
import { terminalProjectionFactory } from './terminal/index.js';

/** How each session kind's state is materialized for snapshots and late joiners. */
export function defaultProjections(): ProjectionFactory[] {
  return [terminalProjectionFactory, agentProjectionFactory];
}
