export { BatonClient } from './baton-client.js';
export type {
  BatonClientEvents,
  BatonClientOptions,
  CreateSessionOptions,
  SubscribeOptions,
} from './baton-client.js';
export { agentStateOf } from './agent-state.js';
export type { AgentState } from './agent-state.js';
export { BatonError, isRetryableCode } from './baton-error.js';
export type { BatonErrorCode, ClientErrorCode } from './baton-error.js';
export { backoffDelay, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export type { ConnectionState, ConnectionStatus } from './connection-state.js';
export type { ExternalStore, Listener } from './observable-value.js';
export { Outbox, TERMINAL_INPUT_TTL_MS, dropMessage } from './outbox.js';
export { newInputId } from './new-input-id.js';
export type {
  DropReason,
  DroppedInputs,
  InputAck,
  InputStatus,
  OutboxEntry,
  SharedOutboxChange,
  SubmittedInput,
} from './outbox.js';
export { MemoryOutboxStorage } from './outbox-storage.js';
export type { OutboxRecord, OutboxStorage } from './outbox-storage.js';
export { LocalStorageOutboxStorage } from './local-storage-outbox-storage.js';
export { isPendingDocumentWrite, MemoryDocumentWriteStorage } from './pending-document-writes.js';
export type { DocumentWriteStorage, PendingDocumentWrite } from './pending-document-writes.js';
export { parseTabMessage, TabSync } from './tab-sync.js';
export type { BroadcastChannelLike, TabMessage, TabSyncTarget } from './tab-sync.js';
export type { WebStorageLike } from './local-storage-outbox-storage.js';
export { registerDevice } from './register-device.js';
export type { FetchLike, RegisteredDevice } from './register-device.js';
export { AGENT_WINDOW, SessionLog, TERMINAL_WINDOW } from './session-log.js';
export { EventWindow } from './event-window.js';
export type { WindowLimits } from './event-window.js';
export type { MissingRange, SessionBase } from './session-log.js';
export { SessionStore } from './session-store.js';
export type {
  RetentionOptions,
  SessionSnapshot,
  StreamBuffer,
  SubscriptionStatus,
} from './session-store.js';
export { SessionsStore } from './sessions-store.js';
export { SharedDocuments } from './shared-documents.js';
export type {
  ConflictChooser,
  DocumentMap,
  SharedDocumentChange,
  WriteDocumentOptions,
  WriteDocumentResult,
} from './shared-documents.js';
export type { SessionsSnapshot } from './sessions-store.js';
export type { WebSocketConstructor, WebSocketLike } from './web-socket-like.js';
export { createPairing, pairingStatus, redeemPairing } from './pairing-api.js';
export { listHosts } from './host-api.js';
export { answerRefusal, requestJson } from './http-json.js';
export type { HttpFetch } from './http-json.js';
export type { DeviceIdentity } from './device-identity.js';
export { hasTerminalQuery, stripTerminalQueries } from './terminal-queries.js';
export { isFocusReport, isTerminalReport, splitTerminalReports } from './terminal-reports.js';
export type { TerminalInputPiece } from './terminal-reports.js';
export { attachmentUrl, uploadAttachment } from './attachment-api.js';
export { sniffAttachmentType } from './sniff-attachment-type.js';
export {
  uploadSessionAttachment,
  type AttachmentEndpoint,
  type AttachmentSealer,
} from './session-attachments.js';
export type { UploadAttachmentOptions, UploadTransport } from './attachment-api.js';
export { agentPrompt } from './agent-prompt.js';
export type { AgentPrompt, AgentQuestion } from './agent-prompt.js';
export { groupByHost } from './group-by-host.js';
export type { HostGroup } from './group-by-host.js';
export { addHostByLink, pairWithHost } from './sealing/pair-with-host.js';
export type { HostPairing } from './sealing/pair-with-host.js';
export { MemorySealingStore } from './sealing/memory-sealing-store.js';
export { SealingStoreError } from './sealing/sealing-store.js';
export type { SealingStore } from './sealing/sealing-store.js';
export { REFUSED_EVENT_TYPE, VERIFY_FAILED } from './sealing/client-sealing.js';
export type { SealingOptions } from './sealing/client-sealing.js';
export type { RefusalCode, SealedPayload } from './sealing/session-sealing.js';
export { DeviceSealing } from './sealing/device-sealing.js';
export type { KeySource } from './sealing/device-sealing.js';
export { SessionSealing } from './sealing/session-sealing.js';
export type { OpenedEvent } from './sealing/session-sealing.js';
