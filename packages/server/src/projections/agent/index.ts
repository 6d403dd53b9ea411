export {
  AgentProjection,
  AGENT_SNAPSHOT_TYPES,
  agentProjectionFactory,
} from './agent-projection.js';
