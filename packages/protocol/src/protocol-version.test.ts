import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_SUPPORTED_PROTOCOL_VERSION, PROTOCOL_VERSION } from './version.js';
import { protocolSchemaHash } from './schema-hash.js';

/**
 * The schema fingerprint of each protocol version. When this test fails you changed a wire
 * schema: decide by the rules in version.ts whether the change is additive (record the new
 * fingerprint for the current version) or breaking (bump PROTOCOL_VERSION and add it); either way
 * add a history line in version.ts and update docs/protocol.md. Keep the old fingerprints.
 */
const FINGERPRINTS: Record<number, string> = {
  1: '13a2708b8e385ec1',
  // 2 with `visibility` (additive, docs/protocol.md): 'fd52f325b58829dd' before it;
  // with `SessionInfo.attention` / `preview` and `stream.offset`: 'b39efcc058394c3f' before them;
  // with terminal reports, `ack.ignored` and the size policy: 'af2c5d3e781061e6' before them;
  // with permission `scope` and `agent.turn.ended.stoppedBy`: '502a389e04e92d18' before them;
  // with `attachedCount` on presence frames: '66618b599addad8f' before it;
  // with `input.withdraw`, `input.withdrawn` and `already_started`: 'dc95fc12418f2858' before them;
  // with `AgentConfig.resume` and `imported` on history events: '52449705c9b481f5' before them;
  // with `agent.settings`, `agent.settings.changed`, `agent.cleared`, `agent.commands` and
  // `agent.text.command`: 'bccb12be6d6919ca' before them;
  // with message `attachments` and the attachment error codes: 'beae1240c3e68ca9' before them;
  // with permission `answers`, turn `tokens`/`costEstimated`, `SessionInfo.usage`: '810be8bb690ad8be' before them;
  // with shared documents (`doc.*`, `doc.changed`) and `volatile`: '3bdbe497355f3739' before them;
  // with relays (`SessionInfo.host`, config `host`, the host link schemas): 'c8eee3e6d75418a8' before them;
  // with host identities (`SessionInfo.host.keyFingerprint`, host link 2: `keys`, `sig`):
  // '48007ca55ba81210' before them;
  // with replay pages (hello `eventPages`, the frame `events`): '1d1ccba1b2cd2caf' before them;
  // with sealed sessions (`SessionInfo.sealed`, sealed payloads and bodies, `stream.sealed`,
  // host link 3: `roster`, `keys`, `intro`, `device.revoked`): '9e3b9ed2b0b03fe5' before them;
  // with host-made sealed snapshots (`SealedRunnerSnapshot`, host link 4: `snapshot`):
  // 'ba2ef6821abfd494' before them;
  // with sealed replies in progress for joiners (host link 5: `out.finishes`):
  // '2a6e399995157f85' before it; with `doc.write.writeId`: '7fa94423423b0036' before it;
  // with sealed attachments (envelope kind `attachment`, the sealed upload type):
  // '731bc6c95e3dbe87' before them; with host link 6's proof of possession
  // (`host.hello.proof`): '030279d20efb4291' before it; with the clear checks of sealed
  // terminal inputs (`run`, `report` beside the payload): 'e5a48f53cd6ce59a' before them;
  // with `querySeq` on terminal reports: 'd51a0522f03b314d' before it; with live pages (hello
  // `livePages`): 'aff02737f8a372f8' before them; with deleted sessions leaving their host
  // (`host.hello.kept`, `forget`): 'e0d5bf119203d0d2' before them; with `Attachment.label`:
  // 'ecc2de9733276eaa' before it.
  2: '4f1e7f841b08e785',
};

test('the wire schemas match the fingerprint recorded for PROTOCOL_VERSION', () => {
  assert.ok(MIN_SUPPORTED_PROTOCOL_VERSION <= PROTOCOL_VERSION);
  assert.equal(
    protocolSchemaHash(),
    FINGERPRINTS[PROTOCOL_VERSION],
    `the protocol schemas changed: follow the rules in version.ts and record the new fingerprint ${protocolSchemaHash()}`,
  );
});
