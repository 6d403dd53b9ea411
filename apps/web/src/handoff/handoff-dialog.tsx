import { useState, type ReactNode } from 'react';
import type { HandoffMode } from '@baton/protocol';
import { useNow } from '../sessions/use-now.js';
import { createHandoff, type IssuedHandoff } from './handoff-api.js';

const MODES: { mode: HandoffMode; label: string; help: string }[] = [
  { mode: 'takeover', label: 'Take over', help: 'the other device controls; this one watches' },
  { mode: 'mirror', label: 'Mirror', help: 'both devices control' },
  { mode: 'observe', label: 'Observe', help: 'the other device watches, read-only' },
];

/** "Expires in 4:59", or that it expired. */
function countdown(expiresAt: number, now: number): string {
  // At most 5 minutes: the server and this device may disagree on the time by a little.
  const left = Math.min(300, Math.max(0, Math.ceil((expiresAt - now) / 1000)));
  if (left === 0) return 'This link expired: make a new one.';
  return `Expires in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}

/**
 * Hands the session to another device: pick how, then show a single-use link as a QR code and
 * as text with its countdown. The link works once, within 5 minutes.
 */
export function HandoffDialog({
  sessionId,
  canGiveControl,
  onClose,
}: {
  sessionId: string;
  /** False while this device observes: it can only hand out observing. */
  canGiveControl: boolean;
  onClose: () => void;
}): ReactNode {
  const [mode, setMode] = useState<HandoffMode>(canGiveControl ? 'takeover' : 'observe');
  const [issued, setIssued] = useState<IssuedHandoff>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const now = useNow(1000);

  const create = (): void => {
    setBusy(true);
    setError(undefined);
    createHandoff(sessionId, mode).then(
      (h) => {
        setBusy(false);
        setIssued(h);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof Error ? e.message : String(e));
      },
    );
  };

  return (
    <section className="handoff-dialog" role="dialog" aria-label="Hand off this session">
      <h2>Hand off this session</h2>
      {issued ? (
        <div className="handoff-issued">
          <img
            className="handoff-qr"
            alt="Handoff QR code"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(issued.qrSvg)}`}
            width={220}
            height={220}
          />
          <p>
            Scan it with the other device, or open this link there (it works once):
            <br />
            <a href={issued.url} data-testid="handoff-link" className="handoff-link">
              {issued.url}
            </a>
          </p>
          <p className="muted" data-testid="handoff-countdown">
            {countdown(issued.expiresAt, now)}
          </p>
        </div>
      ) : (
        <fieldset>
          <legend>How</legend>
          {MODES.map((m) => (
            <label key={m.mode}>
              <input
                type="radio"
                name="handoff-mode"
                value={m.mode}
                checked={mode === m.mode}
                disabled={!canGiveControl && m.mode !== 'observe'}
                onChange={() => setMode(m.mode)}
              />{' '}
              {m.label} <span className="muted">({m.help})</span>
            </label>
          ))}
        </fieldset>
      )}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="handoff-buttons">
        {issued ? null : (
          <button type="button" className="primary" onClick={create} disabled={busy}>
            Create link
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
