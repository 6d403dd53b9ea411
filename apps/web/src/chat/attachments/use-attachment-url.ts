import { useEffect, useState, type RefObject } from 'react';
import { useDeviceToken } from '../../sign-in/device-context.js';
import { errorText } from '../../error-text.js';
import { useBatonClient } from '@baton/react';
import { loadAttachment } from './fetch-attachment.js';

export type AttachmentUrl =
  { state: 'waiting' } | { state: 'ready'; url: string } | { state: 'failed'; error: string };

/**
 * An object URL of an attachment, read only once its element comes near the viewport (a long
 * transcript does not download every photo it ever held) and released when it unmounts.
 */
export function useAttachmentUrl(
  sessionId: string,
  attachmentId: string,
  element: RefObject<Element | null>,
): AttachmentUrl {
  const token = useDeviceToken();
  const client = useBatonClient();
  const [result, setResult] = useState<AttachmentUrl>({ state: 'waiting' });
  const [visible, setVisible] = useState(false);

  useEffect(() => {
    const el = element.current;
    if (!el || visible) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setVisible(true);
      },
      { rootMargin: '200px' },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [element, visible]);

  useEffect(() => {
    if (!visible || !token) return;
    let url: string | undefined;
    let gone = false;
    loadAttachment(client, token, sessionId, attachmentId).then(
      (blob) => {
        if (gone) return;
        url = URL.createObjectURL(blob);
        setResult({ state: 'ready', url });
      },
      (err: unknown) => {
        if (!gone) setResult({ state: 'failed', error: errorText(err) });
      },
    );
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [visible, token, client, sessionId, attachmentId]);

  return result;
}
