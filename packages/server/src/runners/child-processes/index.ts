export {
  ChildRegistry,
  CHILDREN_FILE,
  unpersistedChildTracker,
  type ChildEntry,
  type ChildTracker,
} from './child-registry.js';
export { childEnv } from './child-env.js';
export { CHILD_MARKER_VAR, endFamily, findFamily, type ChildIdentity } from './process-family.js';
