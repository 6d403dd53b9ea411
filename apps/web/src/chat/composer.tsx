import { useId, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import { errorText } from '../error-text.js';

/**
 * The message box and Stop. A message goes into the outbox at once (shown as pending) and is
 * delivered when the link allows, also after the window was offline; Enter sends, Shift+Enter
 * adds a line. Stop interrupts the running turn; it is offered whenever the agent may be working.
 */
export function Composer({
  sessionId,
  canStop,
  turnRunning,
  queued,
}: {
  sessionId: string;
  canStop: boolean;
  turnRunning: boolean;
  queued: number;
}): ReactNode {
  const client = useBatonClient();
  const id = useId();
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [stopping, setStopping] = useState(false);

  const send = (event?: FormEvent): void => {
    event?.preventDefault();
    const message = text.trim();
    if (!message) return;
    try {
      client.send(sessionId, { kind: 'message', text: message });
      setText('');
      setError(undefined);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const stop = async (): Promise<void> => {
    setStopping(true);
    setError(undefined);
    try {
      await client.interrupt(sessionId);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setStopping(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form className="composer" onSubmit={send} aria-label="Send a message">
      <label htmlFor={`${id}-text`} className="visually-hidden">
        Message
      </label>
      <textarea
        id={`${id}-text`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        rows={2}
        placeholder={
          turnRunning ? 'Message (queued until the agent is ready)' : 'Message the agent'
        }
        aria-describedby={`${id}-hint`}
      />
      <div className="composer-buttons">
        <button type="submit" className="primary" disabled={!text.trim()}>
          Send
        </button>
        <button
          type="button"
          className="danger-outline"
          onClick={() => void stop()}
          disabled={!canStop || stopping}
          aria-label="Stop the agent's current turn"
        >
          {stopping ? 'Stopping…' : 'Stop'}
        </button>
      </div>
      <p id={`${id}-hint`} className="composer-hint muted">
        {turnRunning ? 'The agent is working.' : 'Enter sends, Shift+Enter adds a line.'}
        {queued > 0 ? ` ${queued} message${queued === 1 ? '' : 's'} queued.` : ''}
      </p>
      {error ? (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
