import { useState } from 'react';

/**
 * The state every pairing form keeps while it redeems: busy from the submit until the promise
 * settles, and the error text of a failed attempt. Success leaves `busy` set, since each form
 * then navigates away or hands over to the signed-in view.
 */
export function usePairingAttempt(errorText: (error: unknown) => string): {
  busy: boolean;
  error: string | undefined;
  setError: (error: string | undefined) => void;
  attempt: (pair: () => Promise<unknown>) => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const attempt = (pair: () => Promise<unknown>): void => {
    setBusy(true);
    setError(undefined);
    pair().catch((e: unknown) => {
      setBusy(false);
      setError(errorText(e));
    });
  };
  return { busy, error, setError, attempt };
}
