import { createPublicKey, verify } from 'node:crypto';

/** The claims of a VAPID JWT (RFC 8292 §2). */
export interface VapidClaims {
  aud: string;
  exp: number;
  sub?: string;
}

/**
 * Checks a Web Push request's `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292 §3) with
 * node:crypto: `k` must be `expectedKey` (the server's VAPID public key, base64url of the
 * uncompressed P-256 point) and the JWT's ES256 signature must verify against it. Returns the
 * claims; throws saying what failed.
 */
export function verifyVapid(authorization: string | undefined, expectedKey: string): VapidClaims {
  const m = /^vapid\s+t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!m) throw new Error(`not a vapid Authorization header: ${authorization ?? '(none)'}`);
  const [, jwt, k] = m as unknown as [string, string, string];
  if (k !== expectedKey) throw new Error(`k=${k} is not the server's VAPID key ${expectedKey}`);
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) throw new Error('the JWT does not have three parts');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
  if (header.alg !== 'ES256') throw new Error(`JWT alg ${header.alg} is not ES256`);
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) throw new Error('k is not an uncompressed point');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  // JWS ES256 signatures are r || s (RFC 7518 §3.4), not DER.
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`, 'latin1'),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  if (!ok) throw new Error("the JWT's signature does not verify with the server's VAPID key");
  return JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as VapidClaims;
}
