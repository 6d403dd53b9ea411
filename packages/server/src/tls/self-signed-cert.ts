import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  X509Certificate,
} from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { Logger } from '../logger.js';
import { machineNames, type MachineNames } from './machine-names.js';
import type { TlsMaterial } from './tls-options.js';

/** How long a generated certificate is valid: within what every browser accepts for a leaf. */
const VALID_DAYS = 365;
/** A certificate this close to its end is replaced (at start, and by the running server). */
export const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** The files of the self-signed certificate inside the data directory. */
export function selfSignedPaths(dataDir: string): { dir: string; cert: string; key: string } {
  const dir = join(dataDir, 'tls');
  return { dir, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
}

/**
 * The self-signed certificate kept in `<dataDir>/tls`: reused while it is valid for more than
 * 30 days and names every address this machine has now; otherwise a new one is made and
 * written over it. The private key (P-256, made by node:crypto, 0600) is made once and kept
 * across renewals, so a pin on the key (an SPKI hash) survives them; the certificate's
 * fingerprint changes with each renewal.
 */
export async function selfSignedCert(
  dataDir: string,
  boundHost: string,
  log: Logger,
  now = new Date(),
): Promise<TlsMaterial> {
  const paths = selfSignedPaths(dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const keyPem = loadOrCreateKey(paths.key, log);
  const names = machineNames(boundHost);
  const existing = readExisting(paths.cert, keyPem);
  const reason = existing ? renewalReason(existing, names, now) : 'there is none yet';
  if (!reason) return material(existing!, readFileSync(paths.cert, 'utf8'), keyPem, paths.cert);

  const certPem = await makeCert(keyPem, names, now);
  const tmp = `${paths.cert}.tmp`;
  writeFileSync(tmp, certPem, { mode: 0o644 });
  renameSync(tmp, paths.cert);
  const made = new X509Certificate(certPem);
  log.info('made a self-signed TLS certificate', {
    because: reason,
    file: paths.cert,
    fingerprint: made.fingerprint256,
    validTo: new Date(made.validTo).toISOString(),
  });
  return material(made, certPem, keyPem, paths.cert);
}

/** Why the certificate must be replaced now, or undefined when it may stay. */
export function renewalReason(
  cert: X509Certificate,
  names: MachineNames,
  now: Date,
): string | undefined {
  const validTo = new Date(cert.validTo).getTime();
  if (validTo - now.getTime() < RENEW_BEFORE_MS)
    return `it expires on ${new Date(validTo).toISOString()}`;
  if (new Date(cert.validFrom).getTime() > now.getTime()) return 'it is not valid yet';
  const missing = [
    ...names.dns.filter((d) => cert.checkHost(d, { subject: 'never' }) === undefined),
    ...names.ips.filter((ip) => cert.checkIP(ip) === undefined),
  ];
  if (missing.length > 0) return `it does not name ${missing.join(', ')}`;
  return undefined;
}

function loadOrCreateKey(file: string, log: Logger): string {
  try {
    const pem = readFileSync(file, 'utf8');
    createPrivateKey(pem);
    chmodSync(file, 0o600);
    return pem;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn('the TLS key in the data directory is unreadable; making a new one', {
        file,
        error: (err as Error).message,
      });
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const tmp = `${file}.tmp`;
  // 0600 from its first byte: the key never exists readable by others.
  writeFileSync(tmp, pem, { mode: 0o600 });
  renameSync(tmp, file);
  return pem;
}

function readExisting(file: string, keyPem: string): X509Certificate | undefined {
  try {
    const cert = new X509Certificate(readFileSync(file, 'utf8'));
    return cert.checkPrivateKey(createPrivateKey(keyPem)) ? cert : undefined;
  } catch {
    return undefined;
  }
}

async function makeCert(keyPem: string, names: MachineNames, now: Date): Promise<string> {
  const publicPem = createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
  const notAfter = new Date(now.getTime() + VALID_DAYS * 24 * 3600 * 1000);
  // A minute of slack for clocks of other devices that run a little behind.
  const notBefore = new Date(now.getTime() - 60_000);
  const result = await generate([{ name: 'commonName', value: 'baton' }], {
    keyPair: { privateKey: keyPem, publicKey: publicPem },
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.dns.map((value) => ({ type: 2 as const, value })),
          ...names.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return result.cert;
}

function material(
  cert: X509Certificate,
  certPem: string,
  key: string,
  certFile: string,
): TlsMaterial {
  return {
    cert: certPem,
    key,
    fingerprint: cert.fingerprint256,
    certFile,
    validTo: new Date(cert.validTo),
  };
}
