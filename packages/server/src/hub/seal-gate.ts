import type { SealedInputPayload, SessionSealing } from '@baton/protocol';

/**
 * What the hub asks of a relay about sealed sessions (docs/protocol.md, "Sealed sessions"). A
 * sealed session's bodies are envelopes the relay cannot read: the hub stores, orders, dedupes
 * and fans them out, but everything that reads bodies (projections, previews, usage, attention,
 * push texts, compaction) is skipped for it.
 */
export interface SealGate {
  /** The session's sealing (host and newest key epoch), or undefined when it is plaintext. */
  describe(sessionId: string, hostId: string): SessionSealing | undefined;
  /**
   * Checks a sealed input with public keys only before it is stored: the envelope's author is
   * the device that sent it, it names this session, kind `input` and this input id, and its
   * signature verifies under the key in the host's roster. Rejects with a BatonError.
   */
  verifyInput(
    sessionId: string,
    hostId: string,
    deviceId: string,
    inputId: string,
    payload: SealedInputPayload,
  ): Promise<void>;
}
