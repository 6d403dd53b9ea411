export { toBase64url, fromBase64url } from './base64url.js';
export { SealError, type SealErrorCode } from './seal-error.js';
export { refuseWeakPublicKey, refuseWeakKeys, type PublicKeyKind } from './weak-public-key.js';
export {
  generateDeviceIdentity,
  exportDeviceIdentity,
  importDeviceIdentity,
  identityFromSeeds,
  importSigningKey,
  importAgreementKey,
  type DeviceIdentity,
  type DevicePublicKeys,
  type ExportedDeviceIdentity,
} from './device-identity.js';
export {
  generateSessionKey,
  importSessionKey,
  SESSION_KEY_BYTES,
  type SessionKey,
} from './session-key.js';
export {
  SealedEnvelope,
  SealedKind,
  SEAL_VERSION,
  envelopeAad,
  envelopeSignatureInput,
  type EnvelopeContext,
} from './envelope-format.js';
export { sealEnvelope, type SealRequest } from './seal-envelope.js';
export { verifyEnvelope, type EnvelopePlace, type VerifiedEnvelope } from './verify-envelope.js';
export { openEnvelope, type OpenOptions, type OpenedEnvelope } from './open-envelope.js';
export {
  attachmentEnvelope,
  openAttachment,
  sealAttachment,
  verifyAttachment,
  type SealAttachmentRequest,
} from './sealed-attachment.js';
export { DeviceRegistry, type Revocation } from './device-registry.js';
export { CounterGuard, LANES_KEPT } from './counter-guard.js';
export { KeyRing } from './key-ring.js';
export {
  WrappedSessionKey,
  wrapSessionKey,
  unwrapSessionKey,
  wrapInfo,
  type UnwrapOptions,
} from './key-wrap.js';
export {
  rotateSessionKey,
  wrapToDevices,
  revokeDevice,
  type RevokeRequest,
  type RevokeResult,
} from './rotation.js';
export {
  newPairingSecret,
  encodePairingFragment,
  decodePairingFragment,
  createIntroduction,
  acceptIntroduction,
  safetyNumber,
  Introduction,
  type PairingKeys,
} from './pairing-link.js';
export { SignedRoster, signRoster, applyRoster } from './device-roster.js';
export {
  hostKeyProofInput,
  signHostKeyProof,
  LABEL_HOST_KEY_PROOF,
  type HostPublicKeys,
} from './host-key-proof.js';
export { AuthorCounter, type AuthorCounterOptions } from './author-counter.js';
export {
  COUNTER_LANES,
  LANED_COUNTER_FROM,
  counterLane,
  nextLanedCounter,
  randomCounterLane,
} from './counter-lanes.js';
export {
  hostOutSignatureInput,
  signHostOut,
  verifyHostOut,
  keyFingerprint,
  LABEL_HOST_OUT,
} from './host-output-signature.js';
