import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MessageAttachment } from '@baton/protocol';
import type { RunnerContext } from '../runner.js';

/** An attachment of a turn's messages, ready for a driver: its bytes and a file holding them. */
export interface TurnAttachment {
  id: string;
  /** The name it had on the sending device (shown to the agent; never a path). */
  name: string | undefined;
  type: string;
  data: Buffer;
  /** The file under the session's directory that holds the bytes (for agents that read files). */
  path: string;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
};

/**
 * Reads the attachments of a turn's messages from the store, in message order, and writes each
 * to `<session dir>/attachments/<sha-256><ext>` (once: the name is the content's hash, so an
 * existing file already holds these bytes). The device's file name is never used as a path.
 */
export async function loadTurnAttachments(
  ctx: RunnerContext,
  refs: readonly MessageAttachment[],
): Promise<TurnAttachment[]> {
  if (refs.length === 0) return [];
  const dir = join(ctx.sessionDir, 'attachments');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const loaded: TurnAttachment[] = [];
  for (const ref of refs) {
    const stored = await ctx.readAttachment(ref.id);
    if (!stored) throw new Error(`attachment ${ref.id} of this message is no longer stored`);
    // A plain server wrote the type itself; in a sealed session the sender did, inside the
    // envelope, and it must be what the bytes are.
    if (ref.type !== undefined && ref.type !== stored.type)
      throw new Error(
        `attachment ${ref.id} was sent as ${ref.type} but its bytes are ${stored.type}: it was not given to the agent`,
      );
    const path = join(dir, `${ref.id}${EXTENSIONS[stored.type] ?? ''}`);
    await writeFile(path, stored.data, { flag: 'wx', mode: 0o600 }).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    });
    loaded.push({
      id: ref.id,
      name: ref.name,
      type: stored.type,
      data: Buffer.from(stored.data),
      path,
    });
  }
  return loaded;
}

/**
 * How an attached file that is not an image is put to an agent: where it is saved, so the agent
 * reads it with its own tools (both CLIs read text and PDF files that way).
 */
export function describeAttachedFile(a: TurnAttachment): string {
  const what = a.name !== undefined ? `the file ${JSON.stringify(a.name)}` : 'a file';
  return `[The user attached ${what} (${a.type}, ${a.data.length} bytes). It is saved at ${a.path}]`;
}
