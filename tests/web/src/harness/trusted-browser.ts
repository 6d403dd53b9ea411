import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';
import { tempDir } from './paths.js';

/**
 * A Chromium profile that trusts `certFile` for real: Chromium on Linux reads trust from the
 * NSS database in $HOME/.pki/nssdb, so the certificate is added there (certutil, trust flags
 * `P,,`: a trusted peer for TLS) in a temporary HOME. The page is then a secure context with
 * no certificate error, as on a phone that was told to trust it. (Chromium's
 * --ignore-certificate-errors-spki-list also gives a secure context with a working service
 * worker; the NSS database is used because it is trust, not an ignored error.)
 *
 * A persistent profile, not an incognito context: Chromium reports incognito windows as not
 * installable.
 */
export async function trustingBrowser(
  certFile: string,
  options: Parameters<typeof chromium.launchPersistentContext>[1] = {},
): Promise<BrowserContext> {
  const home = tempDir('nss-home');
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  try {
    execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
    execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'P,,', '-n', 'baton', '-i', certFile]);
  } catch (error) {
    throw new Error(
      `certutil failed (${(error as Error).message}); install it with 'apt-get install libnss3-tools' ` +
        `or run 'bash scripts/install-tls-tools.sh'`,
    );
  }
  return chromium.launchPersistentContext(tempDir('profile'), {
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, HOME: home },
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1280, height: 800 },
    ...options,
  });
}
