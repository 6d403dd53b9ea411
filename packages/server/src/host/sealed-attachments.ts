import { createHash } from 'node:crypto';
import { ATTACHMENT_TYPES } from '@baton/protocol';
import { sniffAttachmentType } from '../attachments/sniff-type.js';
import { RunnerError } from '../runners/runner.js';
import type { HostSealing } from './host-sealing.js';

/**
 * A sealed session's attachment as the relay served it, made ready for a runner: the relay's
 * bytes must hash to the id the (signed, sealed) message named, so a relay that swapped or
 * altered them is caught before anything is opened; then the envelope opens under the session's
 * key, and the type is read from the plaintext by the same sniffer a plain server uses at upload.
 * Each refusal is a RunnerError: the turn fails, saying why, and the session goes on.
 */
export async function openSealedAttachment(
  sealing: HostSealing,
  sessionId: string,
  id: string,
  stored: Uint8Array,
): Promise<{ type: string; data: Uint8Array }> {
  if (createHash('sha256').update(stored).digest('hex') !== id)
    throw new RunnerError(
      'bad_request',
      `attachment ${id} was refused: the relay served bytes that are not the ones the message names`,
    );
  const data = await sealing.openAttachment(sessionId, stored);
  const type = await sniffAttachmentType(data);
  if (type === undefined)
    throw new RunnerError(
      'bad_request',
      `attachment ${id} was refused: its bytes are none of ${ATTACHMENT_TYPES.join(', ')}`,
    );
  return { type, data };
}
