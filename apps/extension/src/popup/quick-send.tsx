import { useState, type FormEvent, type ReactNode } from 'react';
import { useBatonClient } from '@baton/react';
import type { SessionInfo } from '@baton/protocol';
import { errorText } from '../../../web/src/error-text.js';
import { ErrorNotice } from '../../../web/src/shell/error-notice.js';

/**
 * One line to a session without opening it: a message to an agent, a line typed into a
 * terminal (with Enter). Inputs go through the client's outbox like the app's, so a line sent
 * while the socket reconnects is delivered after.
 */
export function QuickSend({ session }: { session: SessionInfo }): ReactNode {
  const client = useBatonClient();
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const line = text.trim();
    if (!line) return;
    try {
      client.send(
        session.id,
        session.kind === 'terminal'
          ? { kind: 'terminal', data: `${line}\r` }
          : { kind: 'message', text: line },
      );
      setText('');
      setError(undefined);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="quick-send" onSubmit={submit}>
      <input
        aria-label={`Send to ${session.name}`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={session.kind === 'terminal' ? 'A command to type' : 'A message'}
        maxLength={10_000}
      />
      <button type="submit" disabled={!text.trim()}>
        Send
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
