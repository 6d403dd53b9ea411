import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import { FileTooLargeError, readCappedFile } from '../files/read-capped-file.js';
import type { TlsMaterial } from './tls-options.js';
import { TlsStartError } from './tls-start-error.js';

/**
 * Loads and checks an operator's certificate and key (`--tls-cert`/`--tls-key`) before the
 * server listens, so a mistake is one clear line at start instead of failed handshakes later:
 * both files readable, PEM that parses, the key belonging to the certificate, and the
 * certificate valid now. A chain (leaf first, then intermediates) is served as given.
 */
export function loadProvidedCert(certFile: string, keyFile: string): TlsMaterial {
  const certPem = readPem(certFile, 'certificate', '--tls-cert');
  const keyPem = readPem(keyFile, 'private key', '--tls-key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certPem);
  } catch (err) {
    throw new TlsStartError(
      `${certFile} is not a PEM certificate (${(err as Error).message}); --tls-cert takes a ` +
        `file that starts with -----BEGIN CERTIFICATE-----`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new TlsStartError(
      `${keyFile} is not an unencrypted PEM private key (${(err as Error).message}); --tls-key ` +
        `takes a file that starts with -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY)`,
    );
  }
  if (!leaf.checkPrivateKey(key))
    throw new TlsStartError(
      `the key in ${keyFile} does not belong to the certificate in ${certFile}; give the key ` +
        `the certificate was issued for`,
    );
  const validTo = new Date(leaf.validTo);
  if (validTo.getTime() <= Date.now())
    throw new TlsStartError(
      `the certificate in ${certFile} expired on ${validTo.toISOString()}; renew it`,
    );
  if (new Date(leaf.validFrom).getTime() > Date.now())
    throw new TlsStartError(
      `the certificate in ${certFile} is not valid before ${new Date(leaf.validFrom).toISOString()}`,
    );
  return {
    cert: certPem,
    key: keyPem,
    fingerprint: leaf.fingerprint256,
    certFile: resolve(certFile),
    validTo,
  };
}

function readPem(file: string, what: string, flag: string): string {
  try {
    // A certificate chain is a few KiB; a path to something endless (/dev/zero) fails at once.
    return readCappedFile(file, 1024 * 1024).toString('utf8');
  } catch (err) {
    if (err instanceof FileTooLargeError)
      throw new TlsStartError(
        `the ${what} file ${file} is larger than 1 MiB, so it is not one; check the path given to ${flag}`,
      );
    const code = (err as NodeJS.ErrnoException).code;
    throw new TlsStartError(
      code === 'ENOENT'
        ? `the ${what} file ${file} does not exist; check the path given to ${flag}`
        : `cannot read the ${what} file ${file} (${code ?? (err as Error).message}); ` +
            `check the path given to ${flag} and that baton may read it`,
    );
  }
}
