import { useId, useRef, type ReactNode } from 'react';
import type { AttachmentDrafts } from './use-attachment-drafts.js';
import { describeBytes } from '@baton/protocol';

/** What the file picker offers; the server decides from the bytes (`ATTACHMENT_TYPES`). */
const FILE_ACCEPT =
  'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/*,.md,.txt,.json,.csv,.log,.ts,.tsx,.js,.py,.go,.rs,.java,.c,.h,.cpp,.sh,.yaml,.yml,.toml,.sql,.html,.css';

/**
 * The composer's attach buttons and the files added so far. "Photo" offers the camera on a
 * phone (`accept="image/*"`), "File" the file picker. Each added file shows as a chip with a
 * thumbnail (images), its upload progress or why it was refused, and a remove button.
 */
export function ComposerAttachments({ attachments }: { attachments: AttachmentDrafts }): ReactNode {
  const id = useId();
  const photo = useRef<HTMLInputElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const picked = (input: HTMLInputElement | null): void => {
    if (!input?.files || input.files.length === 0) return;
    attachments.add(Array.from(input.files));
    input.value = '';
  };
  return (
    <div className="composer-attachments">
      <input
        id={`${id}-photo`}
        ref={photo}
        type="file"
        accept="image/*"
        multiple
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        aria-label="Photo to attach"
        onChange={() => picked(photo.current)}
      />
      <input
        id={`${id}-file`}
        ref={file}
        type="file"
        accept={FILE_ACCEPT}
        multiple
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        aria-label="File to attach"
        onChange={() => picked(file.current)}
      />
      <button
        type="button"
        className="attach-button"
        onClick={() => photo.current?.click()}
        aria-label="Attach a photo"
      >
        Photo
      </button>
      <button
        type="button"
        className="attach-button"
        onClick={() => file.current?.click()}
        aria-label="Attach a file"
      >
        File
      </button>
      {attachments.drafts.length > 0 ? (
        <ul className="attachment-chips" aria-label="Attachments">
          {attachments.drafts.map((d) => (
            <li
              key={d.key}
              className={`attachment-chip chip-${d.status}`}
              data-status={d.status}
              title={d.name}
            >
              {d.previewUrl ? (
                <img className="chip-thumb" src={d.previewUrl} alt="" width={40} height={40} />
              ) : (
                <span className="chip-thumb chip-file" aria-hidden="true">
                  📄
                </span>
              )}
              <span className="chip-text">
                <span className="chip-name">{d.name}</span>
                {d.status === 'uploading' ? (
                  <progress
                    className="chip-progress"
                    max={Math.max(1, d.size)}
                    value={d.sent}
                    aria-label={`Uploading ${d.name}`}
                  />
                ) : d.status === 'failed' ? (
                  <span className="chip-error" role="alert">
                    Not attached: {d.error}
                  </span>
                ) : (
                  <span className="chip-size muted">{describeBytes(d.size)}</span>
                )}
              </span>
              <button
                type="button"
                className="chip-remove"
                onClick={() => attachments.remove(d.key)}
                aria-label={`Remove ${d.name}`}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
