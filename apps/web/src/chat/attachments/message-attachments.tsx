import { useRef, useState, type ReactNode } from 'react';
import { describeBytes, isImageType, type MessageAttachment } from '@baton/protocol';
import { useDeviceToken } from '../../sign-in/device-context.js';
import { errorText } from '../../error-text.js';
import { useBatonClient } from '@baton/react';
import { loadAttachment } from './fetch-attachment.js';
import { useAttachmentUrl } from './use-attachment-url.js';

/** The thumbnail's box, fixed so that a loading photo never shifts the transcript. */
const THUMB_PX = 128;

/**
 * A message's attachments in the transcript, on every device: images as thumbnails (loaded
 * when they come into view; a tap opens the full picture), other files as a download link.
 */
export function MessageAttachments({
  sessionId,
  attachments,
}: {
  sessionId: string;
  attachments: readonly MessageAttachment[];
}): ReactNode {
  return (
    <ul className="msg-attachments" aria-label="Attachments">
      {attachments.map((a, i) => (
        <li key={`${a.id}:${i}`} className="msg-attachment">
          {a.type !== undefined && isImageType(a.type) ? (
            <Thumbnail sessionId={sessionId} attachment={a} />
          ) : (
            <FileLink sessionId={sessionId} attachment={a} />
          )}
        </li>
      ))}
    </ul>
  );
}

function Thumbnail({
  sessionId,
  attachment,
}: {
  sessionId: string;
  attachment: MessageAttachment;
}): ReactNode {
  const box = useRef<HTMLAnchorElement>(null);
  const image = useAttachmentUrl(sessionId, attachment.id, box);
  const label = attachment.name ?? 'image';
  return (
    <a
      ref={box}
      className={`attachment-thumb thumb-${image.state}`}
      href={image.state === 'ready' ? image.url : undefined}
      target="_blank"
      rel="noreferrer"
      data-attachment-id={attachment.id}
      style={{ width: THUMB_PX, height: THUMB_PX }}
      title={image.state === 'failed' ? image.error : label}
    >
      {image.state === 'ready' ? (
        <img src={image.url} alt={label} width={THUMB_PX} height={THUMB_PX} decoding="async" />
      ) : (
        <span className="muted">{image.state === 'failed' ? 'Image unavailable' : label}</span>
      )}
    </a>
  );
}

function FileLink({
  sessionId,
  attachment,
}: {
  sessionId: string;
  attachment: MessageAttachment;
}): ReactNode {
  const token = useDeviceToken();
  const client = useBatonClient();
  const [error, setError] = useState<string>();
  const name = attachment.name ?? 'attachment';
  const open = async (): Promise<void> => {
    if (!token) return;
    try {
      const blob = await loadAttachment(client, token, sessionId, attachment.id);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setError(undefined);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <span className="attachment-file">
      <button type="button" className="link-button" onClick={() => void open()}>
        📄 {name}
      </button>
      {attachment.size !== undefined ? (
        <span className="muted"> {describeBytes(attachment.size)}</span>
      ) : null}
      {error ? (
        <span className="chip-error" role="alert">
          {' '}
          {error}
        </span>
      ) : null}
    </span>
  );
}
