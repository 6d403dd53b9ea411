import {
  ATTACHMENT_TYPES,
  AttachmentId,
  describeZodError,
  isImageType,
  SEALED_ATTACHMENT_TYPE,
  type UploadAttachmentResult,
} from '@baton/protocol';
import { BatonError } from '../../baton-error.js';
import { readUpload, sealedUploadLimit } from '../../attachments/read-upload.js';
import { looksSealedUpload } from '../../attachments/looks-sealed.js';
import { sniffAttachmentType } from '../../attachments/sniff-type.js';
import type { ApiDeps } from '../api-deps.js';
import type { ApiRoute } from '../api-route.js';
import { notModified } from '../conditional-get.js';
import { sendJson } from '../json-response.js';

/**
 * A year: an attachment's URL names its bytes (their SHA-256), so what it answers never changes.
 * `private`: only the requesting browser may keep it, since the route needs a credential.
 */
const IMMUTABLE_PRIVATE = 'private, max-age=31536000, immutable';

/**
 * Images and files for chat messages (docs/protocol.md, "Attachments"). Uploading needs the
 * right to send input to the session, downloading the right to read it. The bytes are stored
 * once under their SHA-256, whichever session or device sends them; the id is unguessable
 * without the bytes, so a device that can read one session cannot find another's attachments.
 */
export function attachmentRoutes(deps: ApiDeps): ApiRoute[] {
  const { store, maxBytes } = deps.attachments;
  return [
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/attachments$/,
      action: 'session.input',
      sessionParam: true,
      handler: async ({ req, res, params, device }) => {
        const session = deps.hub.get(params[0]!);
        if (!session.isAgent)
          throw new BatonError(
            'bad_request',
            `attachments go with chat messages to an agent; session ${session.id} is a ${session.kind} session`,
          );
        const sealed = session.sealed;
        if (sealed) {
          // Stored opaque: the relay cannot read the bytes, so it types nothing (the host does,
          // once opened). What it checks is who sealed them, for which session.
          const upload = await readUpload(req, sealedUploadLimit(maxBytes));
          if (!looksSealedUpload(upload.bytes))
            throw new BatonError(
              'sealed_session',
              `session ${session.id} is sealed: the relay stores only attachments sealed by their device (docs/protocol.md, "Sealed attachments"); seal the file with the session key and upload the envelope`,
            );
          if (!deps.sealing)
            throw new BatonError('internal', 'a sealed session on a server without sealing');
          await deps.sealing.verifyAttachment(session.id, sealed.hostId, device.id, upload.bytes);
          const stored = await store.putAttachment(
            {
              id: upload.sha256,
              type: SEALED_ATTACHMENT_TYPE,
              size: upload.bytes.length,
              createdAt: Date.now(),
              data: upload.bytes,
            },
            session.id,
          );
          const answer: UploadAttachmentResult = {
            attachment: {
              id: upload.sha256,
              type: SEALED_ATTACHMENT_TYPE,
              size: upload.bytes.length,
            },
            duplicate: !stored,
          };
          sendJson(res, stored ? 201 : 200, answer);
          return;
        }
        const upload = await readUpload(req, maxBytes);
        if (
          req.headers['content-type']?.startsWith(SEALED_ATTACHMENT_TYPE) ||
          looksSealedUpload(upload.bytes)
        )
          throw new BatonError(
            'bad_request',
            `session ${session.id} is not sealed: upload the file's bytes in the clear`,
          );
        const type = await sniffAttachmentType(upload.bytes);
        if (type === undefined)
          throw new BatonError(
            'unsupported_attachment_type',
            `baton takes ${ATTACHMENT_TYPES.join(', ')} (the type is read from the bytes, whatever Content-Type says); convert the file to one of them`,
          );
        const stored = await store.putAttachment(
          {
            id: upload.sha256,
            type,
            size: upload.bytes.length,
            createdAt: Date.now(),
            data: upload.bytes,
          },
          session.id,
        );
        const answer: UploadAttachmentResult = {
          attachment: { id: upload.sha256, type, size: upload.bytes.length },
          duplicate: !stored,
        };
        sendJson(res, stored ? 201 : 200, answer);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/attachments\/([^/]+)$/,
      action: 'session.read',
      sessionParam: true,
      handler: async ({ req, res, params }) => {
        const session = deps.hub.get(params[0]!);
        const id = AttachmentId.safeParse(params[1]);
        if (!id.success)
          throw new BatonError(
            'not_found',
            `no attachment ${(params[1] ?? '').slice(0, 80)}: ${describeZodError(id.error)}`,
          );
        const etag = `"${id.data}"`;
        if (!(await store.describeAttachments(session.id, [id.data])).has(id.data))
          throw new BatonError(
            'not_found',
            `no attachment ${id.data} is stored for session ${session.id} (it was not uploaded to it, no message of it names it, or every session that used it was deleted)`,
          );
        // The tag names the bytes, so a client holding it holds them: they are not read again.
        // Only If-None-Match counts (no Last-Modified is sent, so no date can match).
        if (notModified(req.headers, etag, Number.POSITIVE_INFINITY)) {
          res.writeHead(304, { etag, 'cache-control': IMMUTABLE_PRIVATE });
          res.end();
          return;
        }
        const found = await store.getAttachment(id.data);
        if (!found)
          throw new BatonError('not_found', `no attachment ${id.data} is stored on this server`);
        // A sealed attachment is served as what it is to the relay: an envelope, for download.
        res.writeHead(200, {
          'content-type': found.type === 'text/plain' ? 'text/plain; charset=utf-8' : found.type,
          'content-length': found.data.length,
          'cache-control': IMMUTABLE_PRIVATE,
          etag,
          'x-content-type-options': 'nosniff',
          // Opened on its own, an attachment can run nothing and reach nothing.
          'content-security-policy': "default-src 'none'; img-src 'self'; sandbox",
          'content-disposition': isImageType(found.type) ? 'inline' : 'attachment',
        });
        res.end(found.data);
      },
    },
  ];
}
