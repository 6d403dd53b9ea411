import type { PairingCreated, PairingStatus, Role } from '@baton/protocol';
import { stripUnprintable } from '@baton/protocol';
import QRCode from 'qrcode';
import { CliError, ExitCode } from '../cli-error.js';
import { flagInt, flagString, type ParsedArgs } from '../parse-args.js';
import { resolveSession } from '../resolve-session.js';
import { request, resolveTarget } from '../server-target.js';

const ROLES: readonly Role[] = ['viewer', 'editor', 'owner'];
/** How often the pairing's state is asked for while waiting. */
const POLL_MS = 1000;

/**
 * `baton pair`: asks the server for a pairing code, shows it with its QR, and waits until a
 * device redeems it (then prints "paired: <name>") or it expires.
 */
export async function pair(args: ParsedArgs): Promise<void> {
  const role = (flagString(args, 'role') ?? 'viewer') as Role;
  if (!ROLES.includes(role))
    throw new CliError(
      `--role must be viewer, editor or owner, not '${stripUnprintable(role).slice(0, 40)}'`,
      ExitCode.Usage,
    );
  const ttlSeconds = flagInt(args, 'ttl', 1, 300);
  const target = await resolveTarget(args);
  const sessionRef = flagString(args, 'session');
  const session = sessionRef === undefined ? undefined : await resolveSession(target, sessionRef);
  const body: Record<string, unknown> = { role };
  if (session) body['sessionId'] = session.id;
  if (ttlSeconds !== undefined) body['ttlSeconds'] = ttlSeconds;
  const p = (await request(
    target.url,
    'POST',
    '/api/pairings',
    target.token,
    body,
  )) as PairingCreated;
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify(p, null, 2) + '\n');
    return;
  }

  const out = process.stdout;
  out.write(
    await QRCode.toString(p.url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }),
  );
  out.write(
    `\nScan the QR code with the other device's camera, or open ${new URL(p.url).origin}/pair there and type the code.\n\n`,
  );
  out.write(`  code         ${p.code}\n`);
  out.write(`  url          ${p.url}\n`);
  out.write(
    `  role         ${p.role}${session ? ` on session ${stripUnprintable(session.name)} only` : ''}\n`,
  );
  out.write(`  expires      ${new Date(p.expiresAt).toLocaleTimeString()} (single use)\n`);
  if (p.fingerprint) {
    out.write(`  fingerprint  ${p.fingerprint}\n`);
    out.write('               (SHA-256 of the TLS certificate: the pairing page shows it too)\n');
  }
  const host = new URL(p.url).hostname;
  if (/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(host))
    out.write(
      `\nNote: ${host} is this machine's own address; a phone cannot open it. Serve on the network\n` +
        `(baton serve --host 0.0.0.0 --tls) or behind a proxy, then pair again.\n`,
    );
  out.write(
    '\nWaiting for the device (Ctrl-C stops waiting; the code stays valid until it expires)…\n',
  );

  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    let status: PairingStatus;
    try {
      status = (await request(
        target.url,
        'GET',
        `/api/pairings/${p.id}`,
        target.token,
      )) as PairingStatus;
    } catch (err) {
      if (Date.now() < p.expiresAt) continue; // a restart or a blip: keep waiting until expiry
      throw err;
    }
    if (status.state === 'paired') {
      out.write(
        `paired: ${stripUnprintable(status.device?.name ?? 'a device')} (${status.role})\n`,
      );
      return;
    }
    if (status.state === 'expired')
      throw new CliError(
        'the code expired unused; run baton pair again for a new one',
        ExitCode.Failed,
      );
  }
}
