import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BatonError, uploadAttachment } from '@baton/client';
import { isImageType, type MessageAttachment } from '@baton/protocol';
import { CliError, ExitCode } from '../cli-error.js';

/**
 * Uploads the files of `baton send --image … --file …` to the session, images first, each in
 * the order given, and returns what the message names. An `--image` the server does not read
 * as an image is refused: the agent would get it as a file, not as a picture.
 */
export async function uploadSendAttachments(
  target: { url: string; token: string },
  sessionId: string,
  images: readonly string[],
  files: readonly string[],
): Promise<MessageAttachment[]> {
  const attached: MessageAttachment[] = [];
  const all = [
    ...images.map((path) => ({ path, image: true })),
    ...files.map((path) => ({ path, image: false })),
  ];
  for (const { path, image } of all) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw new CliError(`cannot read ${path}: ${(err as Error).message}`, ExitCode.Usage);
    }
    const name = basename(path).slice(0, 255) || 'attachment';
    let attachment;
    try {
      ({ attachment } = await uploadAttachment(target.url, target.token, sessionId, bytes));
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
    attached.push({ id: attachment.id, name });
  }
  return attached;
}
