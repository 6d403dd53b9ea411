import { basename } from 'node:path';
import { BatonError, uploadSessionAttachment, type AttachmentSealer } from '@baton/client';
import {
  describeBytes,
  isImageType,
  type MessageAttachment,
  type SessionInfo,
} from '@baton/protocol';
// The subpath, not '@baton/server': client commands must run without its native modules.
import { FileTooLargeError, readCappedFile } from '@baton/server/files';
import { CliError, ExitCode } from '../cli-error.js';
import { sessionSealingFor } from '../sealed-input.js';
import type { ServerTarget } from '../server-target.js';

/**
 * Far past the server's limit (10 MiB unless its owner raised it, which it checks), and no more
 * than the server reads of a refused body before its 413 (so the answer always arrives), yet
 * small enough that `--file /dev/zero` fails at once.
 */
const MAX_SENT_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Uploads the files of `baton send --image … --file …` to the session, images first, each in
 * the order given, and returns what the message names. An `--image` the server does not read
 * as an image is refused: the agent would get it as a file, not as a picture. In a sealed
 * session each file is sealed here with this CLI's keys (the relay stores an envelope it cannot
 * open), and the message names each one's type and size, read here, inside its own envelope.
 */
export async function uploadSendAttachments(
  target: ServerTarget,
  session: SessionInfo,
  images: readonly string[],
  files: readonly string[],
): Promise<MessageAttachment[]> {
  const sessionId = session.id;
  let sealer: AttachmentSealer | undefined;
  if (session.sealed) {
    const sealing = await sessionSealingFor(target, session);
    sealer = { sealAttachment: (_session, bytes) => sealing.sealAttachment(bytes) };
  }
  const attached: MessageAttachment[] = [];
  const all = [
    ...images.map((path) => ({ path, image: true })),
    ...files.map((path) => ({ path, image: false })),
  ];
  for (const { path, image } of all) {
    let bytes: Buffer;
    try {
      bytes = readCappedFile(path, MAX_SENT_FILE_BYTES);
    } catch (err) {
      if (err instanceof FileTooLargeError)
        throw new CliError(
          `${path} is larger than ${describeBytes(MAX_SENT_FILE_BYTES)}, more than baton sends as one attachment; send a smaller file`,
          ExitCode.Usage,
        );
      throw new CliError(`cannot read ${path}: ${(err as Error).message}`, ExitCode.Usage);
    }
    const name = basename(path).slice(0, 255) || 'attachment';
    let attachment;
    try {
      ({ attachment } = await uploadSessionAttachment(
        { baseUrl: target.url, token: target.token },
        sealer,
        sessionId,
        bytes,
      ));
    } catch (err) {
      if (!(err instanceof BatonError)) throw err;
      throw new CliError(
        `${path} was not attached: ${err.message} (${err.code})`,
        err.code === 'disconnected' || err.code === 'unauthorized'
          ? ExitCode.Unreachable
          : ExitCode.Failed,
      );
    }
    if (image && !isImageType(attachment.type))
      throw new CliError(
        `${path} is not an image (baton read it as ${attachment.type}); send it with --file`,
        ExitCode.Usage,
      );
    // A relay cannot look a sealed attachment up: the message says what it is.
    attached.push(
      sealer
        ? { id: attachment.id, name, type: attachment.type, size: attachment.size }
        : { id: attachment.id, name },
    );
  }
  return attached;
}
