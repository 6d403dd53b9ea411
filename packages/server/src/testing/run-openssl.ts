import { join } from 'node:path';
import { spawn } from 'node:child_process';

/** Runs `openssl` with `args` (and `input` on stdin); resolves with its output and exit code. */
export function runOpenssl(
  args: string[],
  input = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The SHA-256 fingerprint of a PEM certificate file as openssl prints it (after the '='). */
export async function opensslFingerprint(certFile: string): Promise<string> {
  const r = await runOpenssl(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256']);
  if (r.code !== 0) throw new Error(`openssl x509 failed: ${r.stderr}`);
  const value = /=\s*([0-9A-F:]+)\s*$/.exec(r.stdout.trim())?.[1];
  if (!value) throw new Error(`unexpected openssl output: ${r.stdout}`);
  return value;
}

/**
 * A self-signed P-256 certificate made by openssl in `dir` (`cert.pem`, `key.pem`), for a test
 * server of its own (a push service, a reverse proxy). `san` is the subjectAltName value, such as
 * `IP:127.0.0.1` or `DNS:baton.test`.
 */
export async function opensslCert(
  dir: string,
  cn: string,
  san: string,
): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = await runOpenssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    '-addext',
    `subjectAltName=${san}`,
  ]);
  if (made.code !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
  return { cert, key };
}
