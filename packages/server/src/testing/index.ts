/**
 * Test helpers for suites that run real servers, published as `@baton/server/testing` so the
 * other packages' tests drive the server the same way the server's own tests do.
 */
export { ProtocolClient, ProtocolError } from './protocol-client.js';
export { ScreenViewer, type ScreenViewerOptions, type Subscribed } from './screen-viewer.js';
export { spawnServerProcess, type ServerProcess } from './server-process.js';
export {
  BASH_TERMINAL,
  QUIET_TERMINAL,
  startTestServer,
  tempDataDir,
  waitUntil,
} from './test-server.js';
export { Tmux, type TmuxOptions } from './tmux.js';
export { tempPgSchema, TEST_PG_URL } from './pg-test-schema.js';
export { idleRunnerFactory } from './idle-runner-factory.js';
export { opensslCert, opensslFingerprint, runOpenssl } from './run-openssl.js';
export { promptingRunnerFactory } from './prompting-runner-factory.js';
export { SubscriptionKeys } from './web-push-decrypt.js';
export { verifyVapid, type VapidClaims } from './vapid-jwt.js';
export { TestPushService, type PushDelivery } from './test-push-service.js';
export { TINY_PNG } from './tiny-png.js';
export {
  ownerPairingCode,
  startWelcomedHost,
  waitForSessionKey,
  type WelcomedHost,
} from './relay-host.js';
export { heldTurnAgent, type HeldTurnAgent } from './held-turn-agent.js';
export { refusedCommits, refusedPgCommits } from './refused-commits.js';
