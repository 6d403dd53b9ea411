export type {
  AgentDriver,
  DriverFactory,
  DriverInit,
  DriverSink,
  PermissionAsk,
  ProcessExit,
  TurnResult,
} from './agent-driver.js';
export {
  DEFAULT_IDLE_STOP_MS,
  DEFAULT_STOP_GRACE_MS,
  type AgentRunnerOptions,
} from './agent-runner-options.js';
export { ConversationRunner, RUNNER_DEVICE_ID, type AgentIdentity } from './conversation-runner.js';
export { JsonLinesProcess, describeExit, type LaunchSpec } from './json-lines-process.js';
export { findBinary } from './find-binary.js';
export { agentCwd, agentEnv } from './agent-env.js';
export { resolveAgentBinary } from './resolve-agent-binary.js';
export { asArray, asNumber, asObject, asString, type JsonObject } from './json-fields.js';
export { createAgentRunnerFactory, type AgentSpec } from './agent-runner-factory.js';
export { contextWithSettings, mergeSettings, type AgentSettings } from './agent-settings.js';
export { nextTurnLength, parseSlashCommand, type SlashCommand } from './slash-command.js';
export {
  describeAttachedFile,
  loadTurnAttachments,
  type TurnAttachment,
} from './turn-attachments.js';
export { costUsd, modelPrice, type ModelPrice, type ModelPrices } from './model-price.js';
export { attributedTexts } from './turn-attribution.js';
