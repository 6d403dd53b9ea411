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
