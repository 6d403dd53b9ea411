/**
 * WebSocket text frames (RFC 6455 section 5.2) encoded straight into one buffer: a replay page
 * of hundreds of events becomes one allocation and one socket write, instead of a header and a
 * payload write per event through `ws`. Server-to-client frames are never masked; each message
 * is one final frame (FIN set, opcode 1).
 */

const FIN_TEXT = 0x81;

function headerBytes(length: number): number {
  if (length < 126) return 2;
  if (length < 0x10000) return 4;
  return 10;
}

/** The frames of `payloads` (each already UTF-8 JSON) back to back, in order. */
export function encodeTextFrames(payloads: readonly (string | Buffer)[]): Buffer {
  const lengths = payloads.map((p) => (typeof p === 'string' ? Buffer.byteLength(p) : p.length));
  let total = 0;
  for (const n of lengths) total += headerBytes(n) + n;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  payloads.forEach((payload, i) => {
    const n = lengths[i]!;
    out[at++] = FIN_TEXT;
    if (n < 126) {
      out[at++] = n;
    } else if (n < 0x10000) {
      out[at++] = 126;
      out.writeUInt16BE(n, at);
      at += 2;
    } else {
      out[at++] = 127;
      out.writeBigUInt64BE(BigInt(n), at);
      at += 8;
    }
    at += typeof payload === 'string' ? out.write(payload, at, 'utf8') : payload.copy(out, at);
  });
  return out;
}
