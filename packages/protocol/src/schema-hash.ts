import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ClientMessage } from './client-message.js';
import { ServerMessage } from './server-message.js';
import { SnapshotState } from './snapshot-state.js';
import { HostMessage, RelayMessage } from './host-link.js';

/**
 * A fingerprint of every wire schema. The version test pins it per PROTOCOL_VERSION, so a schema
 * change without a version bump (and a history line in version.ts) fails the build.
 */
export function protocolSchemaHash(): string {
  // Input mode too: only it distinguishes strict objects (unknown keys refused) from loose ones.
  const both = (schema: z.ZodType) => ({
    input: z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }),
    output: z.toJSONSchema(schema, { unrepresentable: 'any' }),
  });
  const doc = {
    client: both(ClientMessage),
    server: both(ServerMessage),
    snapshot: both(SnapshotState),
    hostLink: { up: both(HostMessage), down: both(RelayMessage) },
  };
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 16);
}
