import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { useBatonClient } from '@baton/react';
import type { AgentCommand } from '@baton/protocol';
import { useCommandCompletion } from './command-completion.js';
import { errorText } from '../error-text.js';
import { loadDraft, MAX_DRAFT_CHARS, saveDraft } from './draft-store.js';
import { shareDraft, useSharedDraft } from './draft-channel.js';
import { ErrorNotice } from '../shell/error-notice.js';
import { ComposerAttachments } from './attachments/composer-attachments.js';
import { useAttachmentDrafts } from './attachments/use-attachment-drafts.js';
import './attachments/attachments.css';

const DRAFT_SAVE_DELAY_MS = 300;

/**
 * The message box with one button that is Send, or Stop while the agent works and the box is
 * empty (typing while it works queues a message, so the button turns back into Send). A message
 * goes into the outbox at once (shown as pending) and is delivered when the link allows, also
 * after the window was offline; Enter sends, Shift+Enter adds a line. The box grows with its
 * text, keeps an unsent draft per session across reloads, and takes the focus when the chat
 * opens (on devices with a keyboard: on a touch screen that would pop the keyboard up). A `/`
 * offers the agent's slash commands (`useCommandCompletion`); a command is sent as typed.
 */
export function Composer({
  sessionId,
  working,
  turnRunning,
  queued,
  fill,
  commands,
}: {
  sessionId: string;
  working: boolean;
  turnRunning: boolean;
  queued: number;
  /** Text to put back into the box (Edit on a queued message); a new `n` each time. */
  fill?: { text: string; n: number } | undefined;
  /** The slash commands the agent offers, for completion; undefined until it said. */
  commands?: readonly AgentCommand[] | undefined;
}): ReactNode {
  const client = useBatonClient();
  const id = useId();
  const box = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(() => loadDraft(sessionId));
  const [error, setError] = useState<string>();
  const [stopping, setStopping] = useState(false);
  const completion = useCommandCompletion(id, text, commands, setText);
  const attachments = useAttachmentDrafts(sessionId);

  // The draft follows the text, a little later; the timer's last write wins on unmount too.
  const latest = useRef(text);
  latest.current = text;
  useEffect(() => {
    const timer = setTimeout(() => saveDraft(sessionId, text), DRAFT_SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [sessionId, text]);
  useEffect(() => () => saveDraft(sessionId, latest.current), [sessionId]);
  // Another window's draft for this session, unless this window's box is being typed in.
  useSharedDraft(sessionId, (shared) => {
    const typing = document.hasFocus() && document.activeElement === box.current;
    if (!typing) setText(shared.slice(0, MAX_DRAFT_CHARS));
  });

  useEffect(() => {
    if (!window.matchMedia('(pointer: coarse)').matches) box.current?.focus();
  }, [sessionId]);

  // An edited message goes back into the box, before what was typed there meanwhile.
  const filled = useRef(0);
  useEffect(() => {
    if (!fill || fill.n === filled.current) return;
    filled.current = fill.n;
    setText((typed) => (typed.trim() ? `${fill.text}\n\n${typed}` : fill.text));
    const el = box.current;
    if (!el) return;
    el.focus();
    const end = fill.text.length;
    requestAnimationFrame(() => el.setSelectionRange(end, end));
  }, [fill]);

  // Grow with the text up to the CSS max-height, then scroll inside.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + (el.offsetHeight - el.clientHeight)}px`;
  }, [text]);

  const send = (event?: FormEvent): void => {
    event?.preventDefault();
    const message = text.trim();
    if (!message || attachments.uploading || attachments.refused) return;
    try {
      const files = attachments.ready();
      client.send(sessionId, {
        kind: 'message',
        text: message,
        ...(files.length > 0 ? { attachments: files } : {}),
      });
      setText('');
      saveDraft(sessionId, '');
      shareDraft(sessionId, '');
      attachments.clear();
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
    if (completion.onKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  const showStop = working && !text.trim() && attachments.drafts.length === 0;
  return (
    <form className="composer" onSubmit={send} aria-label="Send a message">
      <ComposerAttachments attachments={attachments} />
      <label htmlFor={`${id}-text`} className="visually-hidden">
        Message
      </label>
      {completion.list}
      <textarea
        id={`${id}-text`}
        ref={box}
        {...completion.inputProps}
        className="composer-input"
        value={text}
        maxLength={MAX_DRAFT_CHARS}
        onChange={(e) => {
          setText(e.target.value);
          shareDraft(sessionId, e.target.value);
        }}
        onKeyDown={onKeyDown}
        rows={1}
        placeholder={
          turnRunning ? 'Message (queued until the agent is ready)' : 'Message the agent'
        }
        aria-describedby={`${id}-hint`}
      />
      {showStop ? (
        <button
          type="button"
          className="composer-action danger-outline"
          onClick={() => void stop()}
          disabled={stopping}
          aria-label="Stop the agent's current turn"
        >
          {stopping ? 'Stopping…' : 'Stop'}
        </button>
      ) : (
        <button
          type="submit"
          className="composer-action primary"
          disabled={!text.trim() || attachments.uploading || attachments.refused}
        >
          Send
        </button>
      )}
      <p id={`${id}-hint`} className="composer-hint muted">
        {attachments.uploading
          ? 'Uploading… Send waits for the attachments.'
          : attachments.refused
            ? 'Remove the files that were not attached to send.'
            : attachments.drafts.length > 0 && !text.trim()
              ? 'Add a message to send with the attachments.'
              : turnRunning
                ? 'The agent is working.'
                : commands?.length
                  ? 'Enter sends, Shift+Enter adds a line, / lists commands.'
                  : 'Enter sends, Shift+Enter adds a line.'}
        {queued > 0 ? ` ${queued} message${queued === 1 ? '' : 's'} queued.` : ''}
      </p>
      <ErrorNotice error={error} />
    </form>
  );
}
