import type { Logger } from '../logger.js';
import { loadProvidedCert } from './provided-cert.js';
import { selfSignedCert } from './self-signed-cert.js';
import type { TlsMaterial, TlsOptions } from './tls-options.js';

/** The certificate and key for `ServerOptions.tls`, checked; throws TlsStartError when unusable. */
export function loadTls(
  tls: TlsOptions,
  dataDir: string,
  boundHost: string,
  log: Logger,
  now = new Date(),
): Promise<TlsMaterial> {
  if ('selfSigned' in tls) return selfSignedCert(dataDir, boundHost, log, now);
  return Promise.resolve(loadProvidedCert(tls.certFile, tls.keyFile));
}
