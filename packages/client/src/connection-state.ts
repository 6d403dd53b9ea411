import type { Role } from '@baton/protocol';

/**
 * Where the connection is. `attempt` counts consecutive failed attempts since the last
 * successful `welcome` (0 once connected).
 * - `connecting`: a socket is opening or the `hello`/`welcome` handshake is running.
 * - `connected`: `welcome` arrived; requests and inputs flow.
 * - `reconnecting`: the link dropped or could not be opened; the next attempt starts in
 *   `retryInMs` (full-jitter exponential backoff).
 * - `disconnected`: closed on purpose with `close()`; `connect()` starts again.
 * - `failed`: the server refused the credential or the protocol version (a terminal close code);
 *   retrying unchanged cannot succeed, so the client stops. `reason` says what to change.
 */
export type ConnectionState =
  | { status: 'connecting'; attempt: number }
  | {
      status: 'connected';
      attempt: 0;
      connectionId: string;
      deviceId: string;
      deviceName: string;
      /** The device's role (`owner` from servers older than roles). */
      role: Role;
      /** The one session this device may see, when it was paired for one. */
      sessionScope?: string;
      heartbeatMs: number;
      maxFrameBytes: number;
    }
  | { status: 'reconnecting'; attempt: number; retryInMs: number; lastError: string }
  | { status: 'disconnected'; attempt: 0 }
  | { status: 'failed'; attempt: number; reason: string; closeCode: number | undefined };

export type ConnectionStatus = ConnectionState['status'];
