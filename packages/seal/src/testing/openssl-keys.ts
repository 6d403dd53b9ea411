import { execFileSync } from 'node:child_process';
import { toBase64url } from '../base64url.js';

/** Public keys made by the openssl CLI, and the signing key's private half (PEM) to prove them. */
export interface OpensslKeys {
  readonly signingKey: string;
  readonly agreementKey: string;
  readonly signingPrivatePem: string;
}

/**
 * A fresh Ed25519 and X25519 key pair made by the openssl CLI (not by the code under test), the
 * public keys raw 32 bytes in base64url: a second implementation's keys must still be accepted.
 * The DER SubjectPublicKeyInfo of both ends with the raw key (RFC 8410). For tests only.
 */
export function opensslKeys(): OpensslKeys {
  const signing = opensslPair('ed25519');
  return {
    signingKey: signing.publicKey,
    agreementKey: opensslPair('x25519').publicKey,
    signingPrivatePem: signing.privatePem,
  };
}

function opensslPair(algorithm: 'ed25519' | 'x25519'): { publicKey: string; privatePem: string } {
  const privatePem = execFileSync('openssl', ['genpkey', '-algorithm', algorithm]);
  const spki = execFileSync('openssl', ['pkey', '-pubout', '-outform', 'DER'], {
    input: privatePem,
  });
  return {
    publicKey: toBase64url(spki.subarray(spki.length - 32)),
    privatePem: privatePem.toString(),
  };
}
