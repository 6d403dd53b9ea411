import { serverUrl } from '../../server-origin.js';

/** What the server accepts as an attachment (`attachments` of `GET /api/health`). */
export interface UploadLimits {
  maxBytes: number;
  types: readonly string[];
}

let known: Promise<UploadLimits | undefined> | undefined;

/**
 * The server's attachment limits, asked once per page: a file over the limit is refused before
 * its bytes are sent (a phone need not upload 30 MB to hear it is too large). Undefined when the
 * server does not say; the server checks every upload anyway.
 */
export function uploadLimits(): Promise<UploadLimits | undefined> {
  known ??= fetch(serverUrl('/api/health'), { cache: 'no-store' })
    .then(async (res) => ((await res.json()) as { attachments?: UploadLimits }).attachments)
    .catch(() => {
      known = undefined;
      return undefined;
    });
  return known;
}
