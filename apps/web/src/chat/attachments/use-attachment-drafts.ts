import { useCallback, useEffect, useRef, useState } from 'react';
import { uploadAttachment } from '@baton/client';
import { useBatonClient } from '@baton/react';
import { isSealedSession } from './fetch-attachment.js';
import type { MessageAttachment } from '@baton/protocol';
import { useDeviceToken } from '../../sign-in/device-context.js';
import { errorText } from '../../error-text.js';
import { describeBytes } from '@baton/protocol';
import { uploadLimits } from './upload-limits.js';
import { xhrUpload } from './xhr-upload.js';
import { serverOrigin } from '../../server-origin.js';

/** A file added to the composer: uploading, uploaded (with its id), or refused (with why). */
export interface AttachmentDraft {
  key: string;
  name: string;
  size: number;
  /** A local preview of an image (an object URL of the picked file). */
  previewUrl: string | undefined;
  status: 'uploading' | 'ready' | 'failed';
  /** Bytes sent so far, while uploading. */
  sent: number;
  id: string | undefined;
  /** The type the server read from the bytes, once uploaded. */
  type: string | undefined;
  error: string | undefined;
}

export interface AttachmentDrafts {
  drafts: readonly AttachmentDraft[];
  add(files: Iterable<File>): void;
  remove(key: string): void;
  /** Forgets every draft (after the message that carries them was sent). */
  clear(): void;
  /**
   * The uploaded attachments for a message, in the order they were added. Type and size come
   * from the upload's answer, so this window shows thumbnails before the server confirms (the
   * server fills them in from its store anyway).
   */
  ready(): MessageAttachment[];
  /** Some upload is still running. */
  uploading: boolean;
  /** Some file was refused: Send waits until it is removed, so nothing is dropped unseen. */
  refused: boolean;
}

let nextKey = 0;

/**
 * The files added to a session's composer. Each is uploaded at once (over XMLHttpRequest, for
 * its progress), so that by the time the text is typed the bytes are on the server and Send
 * only names them. A file over the server's limit is refused before any byte leaves.
 */
export function useAttachmentDrafts(sessionId: string): AttachmentDrafts {
  const token = useDeviceToken();
  const client = useBatonClient();
  const [drafts, setDrafts] = useState<AttachmentDraft[]>([]);
  const current = useRef(drafts);
  current.current = drafts;

  const patch = useCallback((key: string, change: Partial<AttachmentDraft>): void => {
    setDrafts((all) => all.map((d) => (d.key === key ? { ...d, ...change } : d)));
  }, []);

  const upload = useCallback(
    async (key: string, file: File): Promise<void> => {
      const limits = await uploadLimits();
      if (limits && file.size > limits.maxBytes) {
        patch(key, {
          status: 'failed',
          error: `${describeBytes(file.size)} is over the server's limit of ${describeBytes(limits.maxBytes)}`,
        });
        return;
      }
      if (!token) {
        patch(key, { status: 'failed', error: 'this window is not signed in' });
        return;
      }
      try {
        const options = {
          transport: xhrUpload,
          onProgress: (sent: number) => patch(key, { sent }),
        };
        // A sealed session's file is sealed here first: the relay stores only the envelope.
        const { attachment } = isSealedSession(client, sessionId)
          ? await client.uploadAttachment(sessionId, file, options)
          : await uploadAttachment(serverOrigin(), token, sessionId, file, options);
        patch(key, {
          status: 'ready',
          id: attachment.id,
          type: attachment.type,
          sent: file.size,
        });
      } catch (err) {
        patch(key, { status: 'failed', error: errorText(err) });
      }
    },
    [patch, sessionId, token, client],
  );

  const add = useCallback(
    (files: Iterable<File>): void => {
      const added: AttachmentDraft[] = [];
      for (const file of files) {
        const key = `att${++nextKey}`;
        added.push({
          key,
          name: file.name || 'attachment',
          size: file.size,
          previewUrl: file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined,
          status: 'uploading',
          sent: 0,
          id: undefined,
          type: undefined,
          error: undefined,
        });
        void upload(key, file);
      }
      setDrafts((all) => [...all, ...added]);
    },
    [upload],
  );

  const forget = (gone: readonly AttachmentDraft[]): void => {
    for (const d of gone) if (d.previewUrl) URL.revokeObjectURL(d.previewUrl);
  };

  const remove = useCallback((key: string): void => {
    forget(current.current.filter((d) => d.key === key));
    setDrafts((all) => all.filter((d) => d.key !== key));
  }, []);

  const clear = useCallback((): void => {
    forget(current.current);
    setDrafts([]);
  }, []);

  // Another session's composer starts empty; previews are released with the drafts (and on
  // unmount).
  useEffect(() => clear, [sessionId, clear]);

  const ready = useCallback(
    (): MessageAttachment[] =>
      current.current.flatMap((d) =>
        d.status === 'ready' && d.id !== undefined
          ? [
              {
                id: d.id,
                name: d.name.slice(0, 255),
                ...(d.type !== undefined ? { type: d.type } : {}),
                size: d.size,
              },
            ]
          : [],
      ),
    [],
  );

  return {
    drafts,
    add,
    remove,
    clear,
    ready,
    uploading: drafts.some((d) => d.status === 'uploading'),
    refused: drafts.some((d) => d.status === 'failed'),
  };
}
