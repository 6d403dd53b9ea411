import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_SUPPORTED_PROTOCOL_VERSION, PROTOCOL_VERSION } from './version.js';
import { protocolSchemaHash } from './schema-hash.js';

/**
 * The schema fingerprint of each protocol version. When this test fails you changed a wire
 * schema: bump PROTOCOL_VERSION, add a history line in version.ts, update docs/protocol.md, and
 * add the new fingerprint here (keep the old ones).
 */
const FINGERPRINTS: Record<number, string> = {
  1: '9c80464f62b21604',
};

test('the wire schemas match the fingerprint recorded for PROTOCOL_VERSION', () => {
  assert.ok(MIN_SUPPORTED_PROTOCOL_VERSION <= PROTOCOL_VERSION);
  assert.equal(
    protocolSchemaHash(),
    FINGERPRINTS[PROTOCOL_VERSION],
    `the protocol schemas changed: bump PROTOCOL_VERSION and record the new fingerprint ${protocolSchemaHash()}`,
  );
});
