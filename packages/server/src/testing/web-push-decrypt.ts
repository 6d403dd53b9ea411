import { createDecipheriv, createECDH, createHmac, randomBytes, type ECDH } from 'node:crypto';

/**
 * The receiving side of Web Push message encryption, written from the RFCs with node:crypto
 * primitives only (no Web Push library), so a test checks the server's sending side
 * independently:
 * - RFC 8291 (Message Encryption for Web Push) §3.3-3.4: the input keying material from the
 *   ECDH secret and the subscription's auth secret; the key info string.
 * - RFC 8188 (Encrypted Content-Encoding for HTTP, `aes128gcm`) §2: the header (salt, record
 *   size, key id), the content-encryption key and nonce, records and their padding delimiter.
 */

/** A browser's push subscription keys, as the user agent holds them. */
export class SubscriptionKeys {
  private readonly ecdh: ECDH;
  /** The 16-byte authentication secret (RFC 8291 §3.2). */
  readonly auth: Buffer;

  constructor() {
    this.ecdh = createECDH('prime256v1');
    this.ecdh.generateKeys();
    this.auth = randomBytes(16);
  }

  /** ua_public: the uncompressed P-256 point (65 bytes). */
  get publicKey(): Buffer {
    return this.ecdh.getPublicKey();
  }

  /** As `PushSubscription.toJSON().keys` gives them. */
  toJSON(): { p256dh: string; auth: string } {
    return { p256dh: this.publicKey.toString('base64url'), auth: this.auth.toString('base64url') };
  }

  /** Decrypts an `aes128gcm` Web Push body; throws when anything does not check out. */
  decrypt(body: Buffer): Buffer {
    // RFC 8188 §2.1: salt (16) | rs (uint32) | idlen (1) | keyid (idlen) | records.
    if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
    const salt = body.subarray(0, 16);
    const rs = body.readUInt32BE(16);
    const idlen = body[20]!;
    const keyid = body.subarray(21, 21 + idlen);
    const records = body.subarray(21 + idlen);
    // RFC 8291 §4: the key id is the application server's ephemeral public key (as_public).
    if (idlen !== 65 || keyid[0] !== 0x04) throw new Error('keyid is not a P-256 public key');
    if (rs < 18) throw new Error(`record size ${rs} is below the minimum`);

    // RFC 8291 §3.3: ecdh_secret = ECDH(ua_private, as_public)
    const ecdhSecret = this.ecdh.computeSecret(keyid);
    // PRK_key = HMAC-SHA-256(auth_secret, ecdh_secret)
    const prkKey = hmac(this.auth, ecdhSecret);
    // key_info = "WebPush: info" || 0x00 || ua_public || as_public
    const keyInfo = Buffer.concat([
      Buffer.from('WebPush: info\0', 'latin1'),
      this.publicKey,
      keyid,
    ]);
    // IKM = HMAC-SHA-256(PRK_key, key_info || 0x01)  (HKDF-Expand, L = 32: one block)
    const ikm = hmac(prkKey, Buffer.concat([keyInfo, Buffer.from([1])]));

    // RFC 8188 §2.2-2.3: PRK = HMAC-SHA-256(salt, IKM); CEK and NONCE are HKDF-Expand outputs.
    const prk = hmac(salt, ikm);
    const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'latin1')).subarray(
      0,
      16,
    );
    const nonceBase = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'latin1')).subarray(
      0,
      12,
    );

    const out: Buffer[] = [];
    let seq = 0;
    for (let at = 0; at < records.length; at += rs, seq++) {
      const record = records.subarray(at, at + rs);
      const last = at + rs >= records.length;
      // The nonce is NONCE XOR the record's sequence number as a 96-bit big-endian integer;
      // sequence numbers here fit in the last 32 bits (bitwise ops in JS are 32-bit).
      const nonce = Buffer.from(nonceBase);
      nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
      const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
      decipher.setAuthTag(record.subarray(record.length - 16));
      const plain = Buffer.concat([
        decipher.update(record.subarray(0, record.length - 16)),
        decipher.final(),
      ]);
      // Padding: the data, one delimiter (2 in the last record, 1 before), then zeros.
      let end = plain.length - 1;
      while (end >= 0 && plain[end] === 0) end--;
      const delimiter = plain[end];
      if (delimiter !== (last ? 2 : 1)) throw new Error(`bad padding delimiter ${delimiter}`);
      out.push(plain.subarray(0, end));
    }
    return Buffer.concat(out);
  }
}

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
