import { useState } from 'react';
import { useBatonClient } from '@baton/react';
import type { PermissionDecision } from '@baton/protocol';
import { errorText } from '../error-text.js';

/**
 * Sends the answer to one permission request (a tool use, a plan, questions) and keeps what the
 * prompt shows meanwhile: busy while it is on its way, the server's error when it was refused
 * (`already_resolved` when another device answered first).
 */
export function usePermissionAnswer(
  sessionId: string,
  requestId: string,
): {
  answer: (decision: PermissionDecision) => Promise<void>;
  busy: boolean;
  error: string | undefined;
  setError: (error: string | undefined) => void;
} {
  const client = useBatonClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const answer = async (decision: PermissionDecision): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await client.answerPermission(sessionId, requestId, decision);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return { answer, busy, error, setError };
}

/** Who answered: "by baton" when the server closed the request, else "from <device>". */
export function byWhom(
  deviceId: string | undefined,
  who: (deviceId: string | undefined) => string,
): string {
  if (deviceId === 'baton') return 'by baton';
  return `from ${who(deviceId)}`;
}
