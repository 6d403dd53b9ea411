import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type { SessionInfo } from '@baton/protocol';
import { randomUUID } from 'node:crypto';
import { ProtocolClient } from '../testing/protocol-client.js';
import { QUIET_TERMINAL, startTestServer } from '../testing/test-server.js';
import type { RunningServer } from '../server.js';

/**
 * An input's `ack` leaves in the same socket write as the events its commit fanned out to the
 * sender: one system call per commit for a submitting device, not one per frame. That rests on
 * the connection's cork (ws/client-connection.ts), which is released on the next tick: the
 * commit settles in a promise job, so its fan-out and the `ack` at the end of the submit's
 * promise chain are both queued before Node runs the tick queue again. Real server and real
 * WebSocket client; the only thing watched is what the server's own TCP socket is asked to write
 * (Node's `_write` / `_writev`, wrapped for this file), so a second write is seen even when the
 * client happens to read both in one go.
 */
let server: RunningServer & { stop(): Promise<void> };
let client: ProtocolClient;
let session: SessionInfo;

type Write = (this: Socket, ...args: unknown[]) => unknown;
const proto = Socket.prototype as unknown as { _write: Write; _writev: Write };
const original = { write: proto._write, writev: proto._writev };
/** The server's side of the client's connection, once known by its ports. */
let watched: { localPort: number; remotePort: number } | undefined;
/** The frames of each write the server made to the client, parsed. */
const writes: { type?: string; inputId?: string; event?: { seq?: number } }[][] = [];

function record(socket: Socket, chunks: Buffer[]): void {
  if (
    watched === undefined ||
    socket.localPort !== watched.localPort ||
    socket.remotePort !== watched.remotePort
  )
    return;
  writes.push(textFrames(Buffer.concat(chunks)).map((text) => JSON.parse(text) as never));
}

/** The payloads of the unmasked text frames a server wrote, whole frames only (RFC 6455 5.2). */
function textFrames(bytes: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) [length, header] = [bytes.readUInt16BE(at + 2), 4];
    else if (length === 127) [length, header] = [Number(bytes.readBigUInt64BE(at + 2)), 10];
    if ((bytes[at]! & 0x0f) === 0x1)
      out.push(bytes.subarray(at + header, at + header + length).toString('utf8'));
    at += header + length;
  }
  return out;
}

before(async () => {
  proto._write = function (this: Socket, ...args: unknown[]) {
    record(this, [Buffer.from(args[0] as Buffer | string)]);
    return original.write.apply(this, args);
  };
  proto._writev = function (this: Socket, ...args: unknown[]) {
    const chunks = args[0] as { chunk: Buffer | string }[];
    record(
      this,
      chunks.map((c) => Buffer.from(c.chunk)),
    );
    return original.writev.apply(this, args);
  };
  server = await startTestServer();
  client = await ProtocolClient.connect(server.wsUrl, server.ownerToken);
  ({ session } = await client.request<{ session: SessionInfo }>({
    type: 'session.create',
    kind: 'terminal',
    config: QUIET_TERMINAL,
  }));
  await client.subscribe(session.id, 0);
  const own = (client.ws as unknown as { _socket: Socket })._socket;
  watched = { localPort: Number(new URL(server.wsUrl).port), remotePort: own.localPort ?? 0 };
});

after(async () => {
  proto._write = original.write;
  proto._writev = original.writev;
  await client.close();
  await server.stop();
});

test('an input’s ack leaves in the same write as its event, to the device that sent it', async () => {
  for (let i = 0; i < 10; i++) {
    const inputId = randomUUID();
    writes.length = 0;
    const ack = await client.submit(session.id, inputId, { kind: 'terminal', data: `k${i}` });
    await client.waitForSeq(session.id, ack.seq);
    const carrying = writes.filter((frames) =>
      frames.some((f) => f.type === 'ack' && f.inputId === inputId),
    );
    assert.equal(carrying.length, 1, `the ack of input ${i} was written to the sender once`);
    assert.ok(
      carrying[0]!.some((f) => f.type === 'event' && f.event?.seq === ack.seq),
      `input ${i}: the write that carried the ack also carried the event at seq ${ack.seq}` +
        ` (${writes.length} writes: ${JSON.stringify(writes)})`,
    );
  }
});
